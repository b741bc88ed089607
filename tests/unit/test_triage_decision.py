"""What the playbook decides for a mention before routing and after: verdict, state, card, account,
deadlines, template, out-of-hours; and that no text, and no real thread, makes it fail."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.domain.lifecycle import State
from bridge.domain.model import Author, Mention
from bridge.playbook.model import Playbook, load_playbook
from bridge.triage.decision import Decision, decide, mentioned_roles
from tests.conftest import ROOT, shared_data

MONDAY = datetime(2025, 3, 24, 10, 0, tzinfo=UTC)
SATURDAY_NIGHT = datetime(2025, 3, 29, 21, 0, tzinfo=UTC)


def playbook(**extra: Any) -> Playbook:
    data: dict[str, Any] = {
        "brand": {"name": "Acme"},
        "accounts": {"x": {"user_id": "1", "handle": "AcmeHelp", "main_handle": "Acme", "main_user_id": "2"}},
        "default_department": "social",
        "departments": {
            "social": {"slack_channel": "C0SOCIAL", "approvers": ["U0SOC2"]},
            "billing": {"slack_channel": "C0BILLING", "keywords": ["refund", "charged"]},
        },
    }
    data.update(extra)
    return Playbook.model_validate(data)


def mention(text: str, *, at: datetime = MONDAY, handle: str = "maria_k", **fields: Any) -> Mention:
    values: dict[str, Any] = {
        "platform": "x",
        "post_id": "100",
        "text": text,
        "author": Author(fields.pop("author_id", "42"), handle, "Maria", fields.pop("followers", 10)),
        "created_at": at,
        "url": "https://x.com/maria_k/status/100",
        "account": "AcmeHelp",
    }
    values.update(fields)
    return Mention(**values)


def decided(text: str, book: Playbook | None = None, now: datetime = MONDAY, **fields: Any) -> Decision:
    return decide(book or playbook(), mention(text, **fields), now)


COMPLAINT = "@AcmeHelp I was charged twice and nobody answers, I want my refund"


def test_a_complaint_is_answered_by_its_department_with_a_card_deadlines_and_a_template() -> None:
    d = decided(COMPLAINT)
    assert (d.verdict, d.state, d.department, d.gets_card) == ("respond", State.ROUTED, "billing", True)
    assert d.reasons[0] == "routed to billing: keyword 'charged'"
    assert any(r.startswith("needs a reply: score") for r in d.reasons)
    assert d.deadlines is not None and d.deadlines.first_response == datetime(2025, 3, 24, 10, 15, tzinfo=UTC)
    assert d.reply_account == "AcmeHelp" and d.template == "apology" and not d.acknowledge


def test_spam_is_ignored_without_a_card_and_says_which_rule() -> None:
    d = decided("@AcmeHelp free nft drop https://x.example/claim")
    assert (d.verdict, d.state, d.gets_card) == ("ignore", State.IGNORED, False)
    assert d.ignore_reason.startswith("ignored by triage: matched rule spam.crypto_links")
    assert d.deadlines is None and d.reply_account == "" and d.template == ""


def test_a_troll_is_monitored_by_the_social_team_with_a_card_and_no_deadline() -> None:
    d = decided("@AcmeHelp you absolute morons, refund my money")
    assert (d.verdict, d.state, d.department, d.gets_card) == ("monitor", State.MONITORING, "social", True)
    assert d.reasons[0].startswith("monitored by social: tracked, not answered")
    assert d.deadlines is None


def test_praise_is_noise_set_aside_without_a_card_unless_the_playbook_asks() -> None:
    d = decided("@AcmeHelp thanks, love it")
    assert (d.verdict, d.state, d.gets_card) == ("noise", State.IGNORED, False)
    assert d.ignore_reason.startswith("noise, tagged for insight: matched rule noise.praise")
    carded = decided("@AcmeHelp thanks, love it", playbook(triage={"noise_gets_card": True}))
    assert (carded.state, carded.gets_card, carded.template) == (State.ROUTED, True, "closing")


def test_our_own_accounts_and_listed_bots_are_ignored() -> None:
    assert decided("@AcmeHelp hello", author_id="2", handle="Acme").ignore_reason.endswith("our own post")
    bots = playbook(triage={"ignore_authors": ["AcmeDeals"]})
    assert decided("@AcmeHelp 20% off", bots, handle="AcmeDeals").verdict == "ignore"


def test_a_brand_matter_is_answered_from_the_main_account() -> None:
    d = decided("@Acme your new ad campaign is racist, shame on you. why would you do this?")
    assert d.triage.kind.value == "brand"
    assert d.reply_account == "Acme"
    assert "answer from @Acme (main brand account: a brand matter)" in d.reasons


def test_without_a_main_account_the_care_handle_answers_brand_matters_and_says_so() -> None:
    book = playbook(accounts={"x": {"user_id": "1", "handle": "AcmeHelp"}})
    d = decided("@AcmeHelp your new ad campaign is racist, why would you do this?", book)
    assert d.reply_account == "AcmeHelp"
    assert any("no main account is configured" in r for r in d.reasons)


def test_the_playbook_can_answer_brand_matters_from_the_care_handle() -> None:
    book = playbook(
        accounts={
            "x": {"user_id": "1", "handle": "AcmeHelp", "main_handle": "Acme"},
            "answer_from": {"brand": "care"},
        }
    )
    assert decided("@Acme your ad is racist, why?", book).reply_account == "AcmeHelp"


def test_the_mentioned_account_is_read_from_the_mention_and_its_text() -> None:
    book = playbook()
    assert mentioned_roles(book, mention("@AcmeHelp hi")) == ("care",)
    assert mentioned_roles(book, mention("@Acme @AcmeHelp hi")) == ("care", "main")
    assert mentioned_roles(book, mention("hi @acme", account="")) == ("main",)


def test_language_reaches_routing_for_native_language_teams() -> None:
    book = playbook(
        departments={
            "social": {"slack_channel": "C0SOCIAL", "approvers": ["U0SOC2"]},
            "atencion": {"slack_channel": "C0ESP", "languages": ["es"]},
        }
    )
    d = decided("@AcmeHelp mi pedido no ha llegado y nadie me responde", book, lang=None)
    assert (d.triage.language, d.department) == ("es", "atencion")


HOURS = {"timezone": "Europe/London", "weekly": {"mon-fri": "09:00-17:00"}}


def test_out_of_hours_the_acknowledgement_is_off_by_default() -> None:
    d = decided(COMPLAINT, playbook(hours=HOURS), now=SATURDAY_NIGHT, at=SATURDAY_NIGHT)
    assert not d.acknowledge
    assert d.reasons[-1] == (
        "out of hours, back Monday 31 March at 09:00 BST: no automatic acknowledgement on x"
    )


def test_out_of_hours_the_acknowledgement_is_posted_where_the_playbook_switches_it_on() -> None:
    book = playbook(hours=HOURS, out_of_hours={"auto_acknowledge": {"x": True}})
    d = decided(COMPLAINT, book, now=SATURDAY_NIGHT, at=SATURDAY_NIGHT)
    assert d.acknowledge
    assert d.deadlines is not None and d.deadlines.first_response == datetime(2025, 3, 31, 8, 15, tzinfo=UTC)
    assert not decided(COMPLAINT, book, now=MONDAY).acknowledge  # open: nothing automatic
    assert not decided("@AcmeHelp free nft drop https://x.example", book, now=SATURDAY_NIGHT).acknowledge
    facebook = decided(COMPLAINT, book, now=SATURDAY_NIGHT, platform="facebook")
    assert not facebook.acknowledge


# --- never an exception ---------------------------------------------------------------------------

_BOOKS = [load_playbook(ROOT / "playbooks" / name) for name in ("acme.yml", "retailer.yml", "airline.yml")]
_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(), max_size=500),
    st.text(min_size=1, max_size=30).map(lambda s: (s * (20_000 // len(s) + 1))[:20_000]),
    st.just(""),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=_TEXT,
    handle=st.text(max_size=20),
    followers=st.integers(min_value=-(10**12), max_value=10**12),
    lang=st.one_of(st.none(), st.text(max_size=6)),
    retweet=st.booleans(),
    book=st.sampled_from(_BOOKS),
    at=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
)
def test_any_text_any_unicode_any_length_gets_a_verdict_and_a_department(
    text: str, handle: str, followers: int, lang: str | None, retweet: bool, book: Playbook, at: datetime
) -> None:
    m = mention(text, handle=handle, followers=followers, lang=lang, is_retweet=retweet, at=at)
    d = decide(book, m, at)
    assert d.verdict in ("respond", "monitor", "ignore", "noise")
    assert d.department in book.departments
    assert d.reasons and all(isinstance(r, str) and r for r in d.reasons)
    assert not any(r.startswith("triage failed") for r in d.reasons)


def test_every_row_of_the_ibm_customer_care_threads_is_decided_without_error() -> None:
    folder = shared_data("social-text", "ibm-twitter-customer-care")
    book = load_playbook(ROOT / "playbooks" / "retailer.yml")
    rows = 0
    verdicts: dict[str, int] = {}
    for split in ("dev", "test"):
        for thread in json.loads((folder / f"{split}.json").read_text(encoding="utf-8")):
            company = thread["dialogHeader"]["company"]
            for turn in thread["dialogContent"]:
                handle = turn.get("client") or turn.get("agent") or company
                created = datetime.fromisoformat(turn["datetime"])
                m = mention(turn["message"], handle=handle, at=created, account=company)
                d = decide(book, m, created)
                assert d.department in book.departments
                assert not any(r.startswith("triage failed") for r in d.reasons), turn["message"]
                verdicts[d.verdict] = verdicts.get(d.verdict, 0) + 1
                rows += 1
    assert rows > 1_000
    assert verdicts.get("respond", 0) > rows / 3
