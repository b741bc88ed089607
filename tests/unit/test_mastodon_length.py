"""An answer's length on Mastodon, counted as the instance counts it, against the instance's limit;
X's weighted count is untouched."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bridge.domain.lifecycle import State
from bridge.domain.model import Case
from bridge.text.answer_length import answer_length, use_character_limit
from bridge.text.character_length import CharacterLimit, addressed, count_characters

LIMIT = CharacterLimit(max_characters=500, characters_reserved_per_url=23)


def case(platform: str, handle: str = "maria@remote.social", mode: str = "") -> Case:
    now = datetime.now(UTC)
    return Case(
        number=1, state=State.CLAIMED, platform=platform, post_id="1", text="", author_id="9",
        author_handle=handle, author_name="", post_url="", created_at=now, ingested_at=now, mode=mode,
    )  # fmt: skip


@pytest.fixture
def small_instance() -> Iterator[None]:
    use_character_limit("mastodon", lambda: CharacterLimit(max_characters=40))
    yield
    use_character_limit("mastodon", None)


def test_every_link_counts_as_the_reserved_characters_whatever_its_length() -> None:
    long_link = "https://example.com/" + "a" * 300
    assert count_characters(f"see {long_link}", LIMIT).weighted_length == len("see ") + 23
    assert count_characters("see http://x.io", LIMIT).weighted_length == len("see ") + 23


def test_a_remote_mention_counts_as_its_local_part() -> None:
    assert count_characters("@maria@remote.social hi", LIMIT).weighted_length == len("@maria hi")


def test_an_emoji_sequence_and_a_combining_accent_count_once() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert count_characters(f"ok {family} e\u0301", LIMIT).weighted_length == len("ok x e")


def test_the_customers_handle_the_answer_opens_with_is_counted_once() -> None:
    assert count_characters("thanks", LIMIT, addressee="maria@remote.social").weighted_length == len(
        "@maria thanks"
    )
    already = count_characters("@maria@remote.social thanks", LIMIT, addressee="maria@remote.social")
    assert already.weighted_length == len("@maria thanks")


def test_over_the_instances_limit_is_refused_in_words(small_instance: None) -> None:
    check = answer_length(case("mastodon"), "x" * 40)
    assert not check.valid and check.describe() == "47/40 — 7 over the limit"
    assert answer_length(case("mastodon"), "x" * 33).describe() == "40/40"
    assert answer_length(case("mastodon"), "   ").describe() == "empty"


def test_a_private_answer_on_mastodon_is_a_status_with_the_same_limit(small_instance: None) -> None:
    assert answer_length(case("mastodon", mode="private"), "x" * 40).max_length == 40


def test_x_keeps_its_weighted_count(small_instance: None) -> None:
    assert answer_length(case("x"), "x" * 280).describe() == "280/280"
    assert answer_length(case("x"), "漢" * 141).describe() == "282/280 — 2 over the limit"
    assert answer_length(case("x", mode="private"), "x" * 500).max_length == 10_000


def test_an_answer_that_greets_the_customer_by_handle_is_not_addressed_twice() -> None:
    greeted = "Hi @maria@remote.social, the refund is on its way."  # the playbook's draft template
    assert addressed(greeted, "maria@remote.social") == greeted
    assert addressed("Hi @maria, hello", "maria@remote.social").startswith("@maria@remote.social Hi")
    assert count_characters(greeted, LIMIT, addressee="maria@remote.social").weighted_length == len(
        "Hi @maria, the refund is on its way."
    )
