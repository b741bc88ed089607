"""Routing rules that look at where a mention was posted: ``platforms: [x, mastodon, bluesky]``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bridge.domain.errors import PlaybookError
from bridge.domain.model import Author, Mention
from bridge.playbook.loader import load_model
from bridge.playbook.model import Playbook
from bridge.triage.decision import decide
from bridge.triage.routing import route

BOOK = """brand: {name: Acme}
default_department: social
departments:
  social: {slack_channel: C0SOCIAL, approvers: [U1]}
  fediverse:
    slack_channel: C0FEDI
    platforms: [mastodon, bluesky]
  billing:
    slack_channel: C0BILLING
    keywords: [refund]
    rules:
      - {name: refunds on X, keywords: [refund], platforms: x, priority: 5}
"""


def load(text: str) -> Playbook:
    return load_model(Path("desk.yml"), Playbook, text=text)


def problems(text: str) -> list[str]:
    with pytest.raises(PlaybookError) as caught:
        load(text)
    return caught.value.problems


def mention(platform: str, text: str) -> Mention:
    when = datetime(2026, 12, 7, 10, tzinfo=UTC)
    author = Author(id="1", handle="maria", name="Maria")
    return Mention(platform=platform, post_id="1", text=text, author=author, created_at=when, url="")


def test_a_rule_can_send_a_platforms_mentions_to_its_own_department() -> None:
    book = load(BOOK)
    assert route(book, "my parcel is late", platform="mastodon").reasons == (
        "routed to fediverse: posted on Mastodon",
    )
    assert route(book, "my parcel is late", platform="bluesky").department == "fediverse"
    assert route(book, "my parcel is late", platform="x").department == "social"


def test_platforms_combine_with_the_other_conditions_of_a_rule() -> None:
    book = load(BOOK)
    assert route(book, "refund please", platform="x").reasons == (
        "routed to billing: keyword 'refund' and posted on X (rule refunds on X), priority 5",
    )
    # on Mastodon the platform-only department comes first in the playbook
    assert route(book, "refund please", platform="mastodon").department == "fediverse"


def test_triage_routes_by_the_platform_the_mention_came_from() -> None:
    book = load(BOOK)
    now = datetime(2026, 12, 7, 10, tzinfo=UTC)
    assert decide(book, mention("bluesky", "my parcel is late"), now).department == "fediverse"
    assert decide(book, mention("x", "my parcel is late"), now).department == "social"


def test_an_unknown_platform_names_its_line_and_key() -> None:
    text = BOOK.replace("platforms: [mastodon, bluesky]", "platforms: [mastodon, threads]")
    assert problems(text) == [
        (
            "desk.yml:7: departments.fediverse.platforms[1]: "
            "Input should be 'x', 'mastodon', 'bluesky', 'facebook' or 'instagram'"
        )
    ]


def test_a_rule_with_only_a_platform_is_a_rule() -> None:
    text = BOOK.replace(
        "{name: refunds on X, keywords: [refund], platforms: x, priority: 5}", "{platforms: [x]}"
    )
    assert route(load(text), "hello", platform="x").department == "billing"
