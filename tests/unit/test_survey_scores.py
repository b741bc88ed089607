"""The survey's score parser: the shapes customers really answer in, and what it refuses to guess."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.reports.survey_scores import MAX_COMMENT_CHARS, SurveyAnswer, parse_score

CSAT, NPS = (1, 5), (0, 10)


@pytest.mark.parametrize(
    ("reply", "scale", "score", "comment"),
    [
        ("5!", CSAT, 5, ""),
        ("⭐⭐⭐⭐", CSAT, 4, ""),
        ("⭐️⭐️⭐️", CSAT, 3, ""),
        ("★★★★☆ quick and kind", CSAT, 4, "quick and kind"),
        ("9/10", NPS, 9, ""),
        ("10/10!!!", NPS, 10, ""),
        ("8 out of 10, would recommend", NPS, 8, "would recommend"),
        ("I'd say 8 — great help", NPS, 8, "great help"),
        ("4 - thanks", CSAT, 4, "thanks"),
        ("four, thanks", CSAT, 4, "thanks"),
        ("Eight out of ten", NPS, 8, ""),
        ("5 stars, lovely people", CSAT, 5, "lovely people"),
        ("Great help, 5", CSAT, 5, "Great help"),
        ("My score is 3: slow but friendly", CSAT, 3, "slow but friendly"),
        ("5️⃣", CSAT, 5, ""),
        ("🔟", NPS, 10, ""),
        ("0", NPS, 0, ""),
        ("  2\n\nthe courier was late again  ", CSAT, 2, "the courier was late again"),
        ("４", CSAT, 4, ""),  # a full-width digit from a phone keyboard
    ],
)
def test_a_score_is_read_from_the_shapes_people_answer_in(
    reply: str, scale: tuple[int, int], score: int, comment: str
) -> None:
    assert parse_score(reply, *scale) == SurveyAnswer(score, comment)


@pytest.mark.parametrize(
    ("reply", "scale"),
    [
        ("6", CSAT),  # out of range: not recorded, not clamped
        ("0", CSAT),
        ("11", NPS),
        ("8/10", CSAT),  # another scale's fraction: no guessing what it means on ours
        ("4/5", NPS),
        ("4.5", CSAT),
        ("100%", NPS),
        ("call me at 5:30", CSAT),
        ("order 12345 still missing", CSAT),
        ("no one helped me", CSAT),  # "one" inside a sentence is not a score
        ("thanks!", CSAT),
        ("", CSAT),
        ("⭐⭐⭐⭐⭐⭐", CSAT),
        ("⭐⭐⭐", NPS),  # stars mean 1–5; on 0–10 they are no answer
    ],
)
def test_what_is_not_a_score_on_the_scale_is_not_recorded(reply: str, scale: tuple[int, int]) -> None:
    assert parse_score(reply, *scale) is None


_WORDS = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz ,.'"), max_size=80).filter(
    lambda t: (
        not set(t.split())
        & {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "zero"}
    )
)


@given(
    score=st.integers(0, 10),
    comment=_WORDS,
    separator=st.sampled_from([" - ", " — ", ": ", ", ", "! ", " ", "/10 "]),
)
def test_any_score_in_range_followed_by_words_keeps_both(score: int, comment: str, separator: str) -> None:
    answer = parse_score(f"{score}{separator}{comment}", *NPS)
    assert answer is not None
    assert answer.score == score
    assert answer.comment == comment.strip(" ,.")


@given(number=st.integers(6, 10**6) | st.integers(-(10**6), 0))
def test_no_number_outside_the_scale_is_ever_recorded(number: int) -> None:
    assert parse_score(f"{number} thanks", *CSAT) is None


@given(st.text(max_size=200))
def test_any_text_gives_a_score_on_the_scale_or_nothing(text: str) -> None:
    answer = parse_score(text, *CSAT)
    assert answer is None or (1 <= answer.score <= 5 and len(answer.comment) <= MAX_COMMENT_CHARS)
