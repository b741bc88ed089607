"""The reply model's inputs: every feature the bench fits is one the score uses and the reasons name."""

from __future__ import annotations

import pytest

from bridge.playbook.triage_rules import NEGATIVE_QUESTION, ReplyModel, TriageRules
from bridge.triage.triager import Triage, TriageInput, Triager


@pytest.fixture(scope="module")
def triager() -> Triager:
    return Triager()


def mention(text: str) -> TriageInput:
    return TriageInput(text=text, author_id="42", author_handle="carol")


def features(triager: Triager, text: str) -> dict[str, float]:
    clean = triager.clean(text)
    return triager.reply_features(clean, triager.sentiment(clean))


def reason_for(result: Triage, name: str) -> str | None:
    return next((r for r in result.reasons if r.startswith(f"cue {name} (")), None)


def test_a_question_with_negative_sentiment_is_a_named_signal(triager: Triager) -> None:
    text = "@AcmeHelp where is my parcel, late again? I am sad"
    assert features(triager, text)[NEGATIVE_QUESTION] == 1.0
    result = triager.triage(mention(text))
    assert result.needs_reply
    reason = reason_for(result, NEGATIVE_QUESTION)
    assert reason is not None and "'where is my parcel, late again?'" in reason  # mentions left out
    assert "+0.44)" in reason


def test_a_neutral_or_positive_question_is_not_a_complaint_signal(triager: Triager) -> None:
    assert NEGATIVE_QUESTION not in features(triager, "@AcmeHelp is the store in Leeds open on Sunday?")
    assert NEGATIVE_QUESTION not in features(triager, "@AcmeHelp do you have the blue one? Love it")
    assert NEGATIVE_QUESTION not in features(triager, "@AcmeHelp this is terrible and broken.")


def test_a_negated_service_verb_is_a_named_cue(triager: Triager) -> None:
    text = "@AcmeHelp the app won't load and my card never arrived"
    assert features(triager, text)["reply.service_failure"] == 1.0
    result = triager.triage(mention(text))
    assert result.needs_reply
    assert reason_for(result, "reply.service_failure") is not None
    assert "reply.service_failure" not in features(triager, "@AcmeHelp the app works and my card arrived")


def test_laughter_counts_against_a_reply_and_is_not_given_as_a_reason(triager: Triager) -> None:
    text = "@AcmeHelp lol you guys 😂"
    assert features(triager, text)["reply.laughter"] == 1.0
    cue = next(c for c in TriageRules().reply_cues if c.name == "reply.laughter")
    assert cue.weight < 0
    result = triager.triage(mention(text))
    assert not result.needs_reply
    assert reason_for(result, "reply.laughter") is None  # reasons list only what pushes towards a reply


def test_the_score_is_the_bias_plus_the_weighted_features(triager: Triager) -> None:
    rules = TriageRules()
    weights = {cue.name: cue.weight for cue in rules.reply_cues}
    weights[NEGATIVE_QUESTION] = rules.reply.negative_question_weight
    weights["sentiment.negative"] = rules.reply.negative_sentiment_weight
    weights["sentiment.positive"] = rules.reply.positive_sentiment_weight
    assert sorted(weights) == sorted(triager.reply_feature_names)
    for text in (
        "@AcmeHelp why is my order still not here? This is terrible",
        "@AcmeHelp lol thanks, love it!",
        "@AcmeHelp can't log in for 3 days now, what is going on??",
        "just chatting about the weather",
    ):
        found = features(triager, text)
        assert set(found) <= set(triager.reply_feature_names)
        expected = rules.reply.bias + sum(weights[name] * value for name, value in found.items())
        assert triager.triage(mention(text)).reply_score == pytest.approx(expected, abs=1e-3)


def test_a_playbook_can_switch_the_negative_question_off(triager: Triager) -> None:
    text = "@AcmeHelp why is my order still not here? This is terrible"
    off = Triager(TriageRules(reply=ReplyModel(negative_question_weight=0.0)))
    result = off.triage(mention(text))
    assert reason_for(result, NEGATIVE_QUESTION) is None
    shipped = triager.triage(mention(text))
    assert shipped.reply_score - result.reply_score == pytest.approx(
        TriageRules().reply.negative_question_weight, abs=1e-3
    )
