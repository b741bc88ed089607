"""End-to-end fixtures shared by the Teams tests: a running Teams bridge, installed in its team; and,
after every end-to-end test, a walk of everything its bridge sent for a customer's link or broadcast."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from standins.harness import LocalBridge
from standins.teams_harness import LocalTeamsBridge
from tests.conftest import PLAYBOOK, ROOT, running, running_bridge
from tests.support.outbound import slack_problems, teams_problems

TEAMS_PLAYBOOK = ROOT / "tests" / "fixtures" / "teams.yml"


@contextmanager
def running_teams(
    playbook: Path, redis_url: str, data_dir: Path, *, install: bool = True, **options: Any
) -> Iterator[LocalTeamsBridge]:
    """A started Teams bridge (``options`` go to :class:`LocalTeamsBridge`), installed in its team
    unless ``install`` is False; stopped and its Redis keys removed afterwards."""
    with running(
        LocalTeamsBridge(playbook=playbook, redis_url=redis_url, data_dir=data_dir, **options)
    ) as bridge:
        if install:
            assert bridge.install().status == 200
        yield bridge


@pytest.fixture
def teams(redis_url: str, tmp_path: Path) -> Iterator[LocalTeamsBridge]:
    with running_teams(TEAMS_PLAYBOOK, redis_url, tmp_path) as bridge:
        yield bridge


# Customers in this suite link only to evil.example, and only customers write broadcasts.
SLACK_CUSTOMER_LIVE = re.compile(r"<!(?:channel|here|everyone)|<https?://[^>|]*evil\.example")
EVIL = re.compile(r"(?i)evil\.example")
TEAMS_CUSTOMER_LIVE = re.compile(r"(?<!\\)\]\(https?://[^)]*evil|https?://evil|www\.evil")
TEAMS_CUSTOMER_LIVE_IN_CODE = re.compile(r"(?i)<script")


@pytest.fixture
def mastodon_bridge(redis_url: str, tmp_path: Path) -> Iterator[LocalBridge]:
    """A started bridge with a Mastodon stand-in beside the Slack and X ones."""
    with running_bridge(PLAYBOOK, redis_url, tmp_path, mastodon=True) as bridge:
        yield bridge


@pytest.fixture(autouse=True)
def nothing_sent_carries_customer_links_or_broadcasts(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test, walk every payload its bridge fixtures sent (see :mod:`tests.support.outbound`)."""
    yield
    for value in request.node.funcargs.values():
        if isinstance(value, LocalBridge):
            slack = slack_problems(value.slack.outbound_payloads(), SLACK_CUSTOMER_LIVE, EVIL)
            assert not slack, "sent to Slack live:\n" + "\n--\n".join(slack)
        if isinstance(value, LocalTeamsBridge):
            sent = value.connector.outbound_payloads()
            teams = teams_problems(sent, TEAMS_CUSTOMER_LIVE, TEAMS_CUSTOMER_LIVE_IN_CODE)
            assert not teams, "sent to Teams live:\n" + "\n--\n".join(teams)
