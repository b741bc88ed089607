"""A reply is measured as X measures it: twitter-text's own conformance cases, then a few of ours."""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

from bridge.text.weighted_length import (
    MAX_WEIGHTED_LENGTH,
    RULES_V1,
    RULES_V2,
    RULES_V3,
    WeightingRules,
    check_length,
    weighted_length,
)

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "twitter-text"

# twitter-text runs each weighted section of validate.yml against one configuration; a section not named
# here is taken to follow the current one.
SECTION_RULES = {
    "WeightedTweetsCounterTest": RULES_V2,
    "WeightedTweetsWithDiscountedEmojiCounterTest": RULES_V3,
    "UnicodeDirectionalMarkerCounterTest": RULES_V3,
}
URL_SECTIONS = ("urls", "urls_with_indices", "urls_with_directional_markers", "tco_urls_with_params")


@functools.cache
def _load(name: str) -> dict[str, list[dict[str, Any]]] | None:
    path = DATA / name
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as handle:
        tests: dict[str, list[dict[str, Any]]] = yaml.safe_load(handle)["tests"]
    return tests


def _missing(name: str) -> list[Any]:
    reason = f"twitter-text conformance data not found at {DATA / name}"
    return [pytest.param(None, None, marks=pytest.mark.skip(reason=reason))]


def _weighted_cases() -> list[Any]:
    tests = _load("validate.yml")
    if tests is None:
        return _missing("validate.yml")
    return [
        pytest.param(case, SECTION_RULES.get(section, RULES_V3), id=f"{section}-{number}")
        for section, cases in tests.items()
        if cases
        and all(isinstance(case["expected"], dict) and "weightedLength" in case["expected"] for case in cases)
        for number, case in enumerate(cases)
    ]


def _tweet_cases() -> list[Any]:
    tests = _load("validate.yml")
    if tests is None:
        return _missing("validate.yml")
    return [pytest.param(case, RULES_V1, id=f"tweets-{n}") for n, case in enumerate(tests["tweets"])]


def _url_cases() -> list[Any]:
    tests = _load("extract.yml")
    if tests is None:
        return _missing("extract.yml")
    return [
        pytest.param(case, RULES_V2, id=f"{section}-{number}")
        for section in URL_SECTIONS
        for number, case in enumerate(tests[section])
    ]


@pytest.mark.parametrize(("case", "rules"), _weighted_cases())
def test_weighted_length_and_validity_agree_with_twitter_text(
    case: dict[str, Any], rules: WeightingRules
) -> None:
    expected = case["expected"]
    check = check_length(case["text"], rules)
    assert weighted_length(case["text"], rules) == expected["weightedLength"], case["description"]
    assert check.weighted_length == expected["weightedLength"], case["description"]
    assert check.valid is expected["valid"], case["description"]


def test_every_weighted_section_we_know_is_still_in_the_data() -> None:
    tests = _load("validate.yml")
    if tests is None:
        pytest.skip(f"twitter-text conformance data not found at {DATA / 'validate.yml'}")
    assert set(SECTION_RULES) <= set(tests)


@pytest.mark.parametrize(("case", "rules"), _tweet_cases())
def test_tweet_validity_agrees_with_twitter_text(case: dict[str, Any], rules: WeightingRules) -> None:
    assert check_length(case["text"], rules).valid is case["expected"], case["description"]


@pytest.mark.parametrize(("case", "rules"), _url_cases())
def test_links_found_by_twitter_text_each_count_23(case: dict[str, Any], rules: WeightingRules) -> None:
    text = case["text"]
    assert unicodedata.is_normalized("NFC", text)
    # Each expected link weighs 23; every other character weighs what its code point weighs.
    link_spans: list[tuple[int, int]] = []
    searched_from = 0
    for link in case["expected"]:
        if isinstance(link, dict):
            start, end = link["indices"]
        else:
            start = text.index(link, searched_from)
            end = start + len(link)
        link_spans.append((start, end))
        searched_from = end
    inside_links = {index for start, end in link_spans for index in range(start, end)}
    plain = sum(rules.char_weight(char) for index, char in enumerate(text) if index not in inside_links)
    expected = (plain + len(link_spans) * rules.transformed_url_length * rules.scale) // rules.scale
    assert weighted_length(text, rules) == expected, case["description"]


def test_a_link_counts_23_however_long_it_is() -> None:
    long_link = "https://example.com/" + "a" * 200
    assert weighted_length(long_link) == 23
    assert weighted_length(f"Details: {long_link} thanks") == len("Details: ") + 23 + len(" thanks")


def test_a_bare_domain_counts_as_a_link_but_an_unknown_tld_does_not() -> None:
    assert weighted_length("example.com") == 23
    assert weighted_length("help.example.co.uk/returns") == 23
    assert weighted_length("example.notatld") == len("example.notatld")


def test_cjk_characters_count_two() -> None:
    assert weighted_length("日本語") == 6
    assert weighted_length("ok 好") == 5


def test_each_emoji_sequence_counts_two() -> None:
    for single in ("👍", "👍🏽", "👨\u200d👩\u200d👧\u200d👦", "🇫🇷", "1\ufe0f\u20e3", "🏳\ufe0f\u200d🌈"):
        assert weighted_length(single) == 2, single
    assert weighted_length("Thanks 🙏🏼") == len("Thanks ") + 2


def test_copyright_sign_is_an_emoji_only_with_its_emoji_selector() -> None:
    assert weighted_length("©") == 1
    assert weighted_length("©\ufe0f") == 2


def test_text_is_normalised_before_counting() -> None:
    assert weighted_length("Cafe\u0301") == 4


def test_exactly_the_limit_is_valid_and_one_more_is_not() -> None:
    at_limit = check_length("x" * MAX_WEIGHTED_LENGTH)
    one_over = check_length("x" * (MAX_WEIGHTED_LENGTH + 1))
    assert (at_limit.valid, at_limit.over_by, at_limit.max_length) == (True, 0, 280)
    assert (one_over.valid, one_over.over_by) == (False, 1)


def test_describe_tells_people_the_count_and_how_far_over() -> None:
    assert check_length("x" * 212).describe() == "212/280"
    assert check_length("x" * 291).describe() == "291/280 — 11 over the limit"
    assert check_length("好" * 150).describe() == "300/280 — 20 over the limit"


def test_empty_or_whitespace_only_text_is_refused_as_empty() -> None:
    for blank in ("", "   ", "\n\t", "\u200b\u200d"):
        check = check_length(blank)
        assert not check.valid, repr(blank)
        assert check.describe() == "empty", repr(blank)


def test_characters_x_refuses_make_a_short_reply_invalid() -> None:
    check = check_length("Thanks\uffff")
    assert not check.valid
    assert check.over_by == 0
    assert check.describe() == "8/280 — contains a character X does not accept (U+FFFE, U+FEFF or U+FFFF)"
