"""Brand matters are answered from the main brand account, service issues from the care handle;
without the main account's credentials the care handle answers and the thread says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from adapters.slack.cards import ACTION_IDS
from bridge.domain.errors import ConfigurationError
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from tests.conftest import PLAYBOOK, running_bridge

pytestmark = pytest.mark.e2e

MAIN_HANDLE, MAIN_ID = "Acme", "783214"
BRAND_MATTER = "@AcmeHelp is it true you are closing stores in the north? that would be awful"
SERVICE_ISSUE = "@AcmeHelp I was charged twice for order 88231, I need a refund"


def playbook_with_main_account(tmp_path: Path) -> Path:
    data = yaml.safe_load(PLAYBOOK.read_text())
    data["accounts"]["x"].update(main_handle=MAIN_HANDLE, main_user_id=MAIN_ID)
    data["accounts"]["answer_from"] = {"service": "care", "brand": "main"}
    triage = data.setdefault("triage", {})
    triage["brand_matter"] = [{"name": "brand.stores_closing", "phrases": ["closing stores"]}]
    social = data["departments"]["social"]
    social["rules"] = [{"name": "main-account-mentions", "accounts": ["main"], "priority": 90}]
    path = tmp_path / "two-accounts.yml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture
def two_accounts(redis_url: str, tmp_path: Path) -> Iterator[LocalBridge]:
    playbook = playbook_with_main_account(tmp_path)
    with running_bridge(playbook, redis_url, tmp_path, x_main_account=(MAIN_HANDLE, MAIN_ID)) as bridge:
        yield bridge


@pytest.fixture
def care_only(redis_url: str, tmp_path: Path) -> Iterator[LocalBridge]:
    """The playbook names a main account, but this deployment has no credentials for it."""
    with running_bridge(playbook_with_main_account(tmp_path), redis_url, tmp_path) as bridge:
        yield bridge


def answer(bridge: LocalBridge, text: str, reply: str) -> int:
    """Open a case from ``text``, have the social team claim, draft and approve ``reply``."""
    post_id = bridge.x.add_mention(text, author_handle="maria_k", author_name="Maria K.")
    bridge.poll()
    bridge.drain()
    number = bridge.rt.store.case_for_post("x", post_id)
    assert number is not None
    assert bridge.click("U0SOC1", number, ACTION_IDS["claim"]).status == 200
    department = bridge.rt.store.get(number).department
    expert = "U0SOC1" if department == "social" else "U0EXP1"
    approver = "U0SOC2" if department == "social" else "U0APP1"
    if department != "social":
        assert bridge.click(expert, number, ACTION_IDS["claim"]).status == 200
    bridge.reply_in_thread(expert, number, reply)
    bridge.drain()
    assert bridge.click(approver, number, ACTION_IDS["approve"], f"{number}:1").status == 200
    bridge.drain()
    assert bridge.rt.store.get(number).state == State.POSTED
    return number


def thread_texts(bridge: LocalBridge, number: int) -> list[str]:
    case = bridge.rt.store.get(number)
    return [m.get("text", "") for m in bridge.slack.thread(case.channel, case.card_ts)]


def test_a_brand_matter_is_answered_from_the_main_account(two_accounts: LocalBridge) -> None:
    bridge = two_accounts
    number = answer(bridge, BRAND_MATTER, "We are not closing any stores, promise.")
    case = bridge.rt.store.get(number)
    assert case.reply_account == MAIN_HANDLE
    posted = bridge.x.post(case.reply_id)
    assert posted is not None and posted.author_id == MAIN_ID and posted.in_reply_to == case.post_id
    assert bridge.x.brand_posts() == [], "nothing from the care handle"
    assert case.reply_url == f"https://x.com/{MAIN_HANDLE}/status/{case.reply_id}"
    assert any(t.startswith(f"Posted from @{MAIN_HANDLE}: ") for t in thread_texts(bridge, number))
    posted_event = [e for e in bridge.rt.store.audit(number) if e.action == "posted"][-1]
    assert posted_event.fields["posted_from"] == MAIN_HANDLE


def test_a_service_issue_is_still_answered_from_the_care_handle(two_accounts: LocalBridge) -> None:
    bridge = two_accounts
    number = answer(bridge, SERVICE_ISSUE, "Sorry Maria, the second charge is refunded today.")
    case = bridge.rt.store.get(number)
    assert case.reply_account == "AcmeHelp"
    assert [p.id for p in bridge.x.brand_posts()] == [case.reply_id]
    assert bridge.x.posts_by(MAIN_HANDLE) == []


def test_without_main_credentials_the_care_handle_answers_and_says_why(care_only: LocalBridge) -> None:
    bridge = care_only
    number = answer(bridge, BRAND_MATTER, "We are not closing any stores, promise.")
    case = bridge.rt.store.get(number)
    assert [p.id for p in bridge.x.brand_posts()] == [case.reply_id]
    notice = next(t for t in thread_texts(bridge, number) if t.startswith("Posted from @AcmeHelp"))
    assert f"@{MAIN_HANDLE} has no credentials here" in notice and "X_MAIN_ACCESS_TOKEN" in notice


def test_a_retry_after_an_unknown_outcome_looks_on_the_main_account(two_accounts: LocalBridge) -> None:
    """The post went out but the answer was lost: the retry must find it on the account that posted."""
    bridge = two_accounts
    bridge.x.fail_next("POST /2/tweets", status=503, after_effect=True)
    post_id = bridge.x.add_mention(BRAND_MATTER, author_handle="maria_k", author_name="Maria K.")
    bridge.poll()
    bridge.drain()
    number = bridge.rt.store.case_for_post("x", post_id)
    assert number is not None
    bridge.click("U0SOC1", number, ACTION_IDS["claim"])
    bridge.reply_in_thread("U0SOC1", number, "We are not closing any stores, promise.")
    bridge.drain()
    bridge.click("U0SOC2", number, ACTION_IDS["approve"], f"{number}:1")
    bridge.drain()
    bridge.release_scheduled()
    bridge.drain(include_scheduled=True)
    assert len(bridge.x.posts_by(MAIN_HANDLE)) == 1, "posted once, recovered rather than posted again"
    assert bridge.rt.store.get(number).state == State.POSTED


def test_mentions_of_the_main_account_are_read_too_and_route_by_account(two_accounts: LocalBridge) -> None:
    bridge = two_accounts
    to_main = bridge.x.add_mention(
        "@Acme I was charged twice for my order, fix it", author_handle="ann", to=MAIN_HANDLE
    )
    to_care = bridge.x.add_mention("@AcmeHelp I was charged twice for my order", author_handle="bob")
    bridge.poll()
    bridge.poll()  # the cursors keep each account's place: nothing is read twice into two cases
    bridge.drain()
    main_case = bridge.rt.store.case_for_post("x", to_main)
    care_case = bridge.rt.store.case_for_post("x", to_care)
    assert main_case is not None and care_case is not None and main_case != care_case
    assert bridge.rt.store.get(main_case).department == "social", "the main-account rule outranks keywords"
    assert bridge.rt.store.get(care_case).department == "billing"
    assert bridge.rt.store.cursor("x:main:mentions:since_id") == to_main
    assert len(bridge.slack.calls_to("chat.postMessage")) == 2


def test_main_account_tokens_without_the_account_in_the_playbook_is_a_clear_error(
    redis_url: str, tmp_path: Path
) -> None:
    from bridge.app.settings import Settings
    from bridge.wiring import build

    settings = Settings(
        redis_url=redis_url,
        bridge_data_dir=tmp_path,
        bridge_playbook=PLAYBOOK,  # names only the care handle
        x_consumer_key="ck",
        x_consumer_secret="cs",
        x_access_token="care-token",
        x_access_token_secret="care-secret",
        x_main_access_token="main-token",
        x_main_access_token_secret="main-secret",
    )
    with pytest.raises(ConfigurationError, match=r"accounts\.x\.main_handle"):
        build(settings)
