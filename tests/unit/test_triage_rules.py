"""The triage section of a playbook: defaults that work empty, and errors that name the bad key."""

from __future__ import annotations

import re

import pytest
import yaml
from pydantic import ValidationError

from bridge.playbook.triage_rules import (
    DEFAULT_SPAM_RULES,
    Matcher,
    Pattern,
    Rule,
    TriageRules,
)


def test_an_empty_section_uses_the_named_builtin_rules() -> None:
    rules = TriageRules.model_validate({})
    assert [r.name for r in rules.spam_rules] == [r.name for r in DEFAULT_SPAM_RULES]
    assert {"spam.crypto_links", "spam.follow_back"} <= {r.name for r in rules.spam_rules}
    assert "abuse.insults" in {r.name for r in rules.abuse_rules}
    assert "noise.praise" in {r.name for r in rules.noise_rules}
    assert rules.high_reach_followers == 10_000
    assert rules.noise_gets_card is False


def test_a_yaml_section_adds_rules_and_switches_builtins_off() -> None:
    section = yaml.safe_load(
        """
        disabled_rules: [spam.adult]
        spam:
          - name: spam.lottery
            phrases: [you have won]
        taggers:
          loyalty: {keywords: [points]}
        urgent_words: [recall notice]
        high_reach_followers: 5000
        """
    )
    rules = TriageRules.model_validate(section)
    names = [r.name for r in rules.spam_rules]
    assert "spam.adult" not in names
    assert names[-1] == "spam.lottery"
    assert "loyalty" in rules.all_taggers and "billing" in rules.all_taggers
    assert rules.urgent is not None and rules.urgent.find("got a recall notice today") == "recall notice"


def test_builtin_rules_false_keeps_only_the_playbooks() -> None:
    rules = TriageRules(builtin_rules=False, abuse=[Rule(name="abuse.custom", keywords=["grr"])])
    assert rules.spam_rules == ()
    assert [r.name for r in rules.abuse_rules] == ["abuse.custom"]
    assert rules.reply_cues == ()
    assert rules.urgent is None


def _error_locations(exc: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str | int, ...]]:
    return [tuple(error["loc"]) for error in exc.value.errors()]


def test_a_typo_in_the_section_is_an_error_naming_the_key() -> None:
    with pytest.raises(ValidationError) as exc:
        TriageRules.model_validate({"noise_get_card": True})
    assert ("noise_get_card",) in _error_locations(exc)
    assert "Extra inputs are not permitted" in str(exc.value)


def test_a_typo_inside_a_rule_is_an_error_naming_the_rule_and_key() -> None:
    with pytest.raises(ValidationError) as exc:
        TriageRules.model_validate({"spam": [{"name": "spam.x", "keywrods": ["win"]}]})
    assert ("spam", 0, "keywrods") in _error_locations(exc)


def test_a_bad_regex_is_an_error_naming_the_pattern() -> None:
    with pytest.raises(ValidationError) as exc:
        TriageRules.model_validate({"abuse": [{"name": "abuse.x", "regex": ["(unclosed"]}]})
    assert ("abuse", 0, "regex") in _error_locations(exc)
    assert "invalid regex '(unclosed'" in str(exc.value)


def test_a_rule_with_nothing_to_match_is_an_error() -> None:
    with pytest.raises(ValidationError, match="at least one of keywords"):
        Rule(name="spam.empty")


def test_an_unknown_disabled_rule_is_an_error_naming_it() -> None:
    with pytest.raises(ValidationError, match=re.escape("spam.crypto_link")):
        TriageRules(disabled_rules=["spam.crypto_link"])


def test_two_rules_with_one_name_are_an_error() -> None:
    with pytest.raises(ValidationError, match=re.escape("two rules are named 'spam.follow_back'")):
        TriageRules(spam=[Rule(name="spam.follow_back", keywords=["x"])])


def test_an_unknown_detection_language_is_an_error() -> None:
    with pytest.raises(ValidationError, match="language detector does not know"):
        TriageRules(languages=["en", "xx"])


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        (Pattern(keywords=["ad"]), "that ad was awful", "ad"),
        (Pattern(keywords=["ad"]), "that is bad", None),
        (Pattern(keywords=["refund*"]), "Refunds please", "Refunds"),
        (Pattern(phrases=["still waiting"]), "I'm STILL   waiting!", "STILL   waiting"),
        (Pattern(phrases=["still waiting"]), "still, waiting", None),
        (Pattern(hashtags=["fail"]), "what an #epicfail and a #FAIL", "#FAIL"),
        (Pattern(keywords=["can't"]), "I can't log in", "can't"),
        (Pattern(regex=[r"order \d+"]), "about ORDER 1234", "ORDER 1234"),
        (Pattern(phrases=["<3"]), "love you <3", "<3"),
    ],
)
def test_patterns_match_whole_words_case_insensitively(
    pattern: Pattern, text: str, found: str | None
) -> None:
    assert pattern.find(text) == found


def test_one_matcher_reports_every_pattern_that_matches() -> None:
    matcher = Matcher(
        [
            ("a", Pattern(keywords=["parcel"])),
            ("b", Pattern(phrases=["never arrived"])),
            ("c", Pattern(keywords=["refund"])),
        ]
    )
    assert matcher.scan("My parcel never arrived") == {"a": "parcel", "b": "never arrived"}
