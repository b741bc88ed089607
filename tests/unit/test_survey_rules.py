"""The survey's preset rules, against a real Redis: only resolved and answered cases, never set-aside
ones, only where the brand may write privately, once per customer per N days and once per case; and
the customer's answer recorded on the case and shown in its thread.

The social platform here is a recording implementation of the port (the e2e test sends through the
real X client to the X stand-in); the store and its Redis are real.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bridge.domain.clock import ManualClock
from bridge.domain.errors import Rejected
from bridge.domain.lifecycle import Action, State
from bridge.domain.model import Author, Mention, PostRef
from bridge.domain.ports import DirectMessage, MentionBatch
from bridge.playbook.loader import load_model
from bridge.playbook.model import Playbook
from bridge.reports.surveys import Surveys
from bridge.store.cases import Store
from bridge.store.erasure import Customer, Eraser
from bridge.store.transitions import text as _s
from tests.conftest import ROOT
from tests.support.cases import routed_case

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
PLAYBOOK = """brand: {name: Acme}
default_department: social
departments:
  social: {slack_channel: C0SOCIAL, approvers: [U0SOC2]}
  billing: {slack_channel: C0BILLING, keywords: [refund]}
"""
SURVEYS = """surveys:
  csat: true
  nps: {nps}
  delay_minutes: 30
  once_per_customer_days: 14
  csat_question: "Hi {{{{ author.name }}}}, how did we do on {{{{ case.ref }}}}? 1 to 5"
"""


@dataclass
class Social:
    """The port as the survey uses it: direct messages sent, and the brand's inbox."""

    name: str = "x"
    handle: str = "AcmeHelp"
    inbox: list[DirectMessage] = field(default_factory=list)
    sent: list[tuple[str, str]] = field(default_factory=list)
    refuse: bool = False

    def send_direct_message(self, user_id: str, text: str) -> PostRef:
        if self.refuse:
            raise Rejected("You cannot send messages to this user.")
        self.sent.append((user_id, text))
        return PostRef(str(1000 + len(self.sent)), "")

    def fetch_direct_messages(self) -> list[DirectMessage]:
        return list(self.inbox)

    def fetch_mentions(self, since_id: str | None) -> MentionBatch:
        raise NotImplementedError


@dataclass
class Notices:
    """What the case's thread was told (the Dispatch port's thread notices)."""

    said: list[tuple[int, str, str]] = field(default_factory=list)

    def thread_notice(self, number: int, text: str, quote: str = "") -> None:
        self.said.append((number, text, quote))


@dataclass
class Desk:
    store: Store
    surveys: Surveys
    socials: dict[str, Social]
    notices: Notices
    scheduled: list[tuple[int, str, datetime | None]]
    clock: ManualClock


def make_desk(store: Store, *, surveys: bool = True, nps: bool = False) -> Desk:
    text = PLAYBOOK + (SURVEYS.format(nps=str(nps).lower()) if surveys else "")
    playbook = load_model(Path("desk.yml"), Playbook, text=text)
    socials = {"x": Social(), "mastodon": Social(name="mastodon")}
    notices, scheduled, clock = Notices(), [], ManualClock(NOW)
    service = Surveys(
        store,
        lambda: playbook,
        socials,  # type: ignore[arg-type]  # only the direct-message verbs are used
        notices,  # type: ignore[arg-type]
        clock,
        lambda number, kind, at: scheduled.append((number, kind, at)),
    )
    return Desk(store, service, socials, notices, scheduled, clock)


def answered_case(
    desk: Desk, post_id: str, *, author_id: str = "77", resolve: bool = True, **fields: Any
) -> int:
    """A case whose answer went out (posted), resolved unless told not to."""
    number, _ = desk.store.create_case_once(routed_case(post_id, author_id=author_id, **fields))
    desk.store.set_fields(number, {"reply_id": f"r{post_id}"})
    if resolve:
        assert desk.store.transition(number, Action.RESOLVE, "U0SOC1").ok
    return number


def customer_wrote(desk: Desk, author_id: str = "77", platform: str = "x", text: str = "hi") -> None:
    desk.socials[platform].inbox.insert(0, DirectMessage(platform, "5", author_id, text))


def test_without_a_surveys_section_nothing_is_planned(store: Store) -> None:
    desk = make_desk(store, surveys=False)
    number = answered_case(desk, "1")
    assert desk.surveys.plan(number) is None
    assert desk.scheduled == []


def test_a_resolved_case_is_planned_once_for_after_the_delay(store: Store) -> None:
    desk = make_desk(store)
    number = answered_case(desk, "1")
    assert desk.surveys.plan(number) == NOW + timedelta(minutes=30)
    assert desk.surveys.plan(number) is None  # answered, then resolved: one survey
    assert desk.scheduled == [(number, "csat", NOW + timedelta(minutes=30))]


def test_the_question_goes_by_private_message_where_a_conversation_exists(store: Store) -> None:
    desk = make_desk(store)
    number = answered_case(desk, "1", name="Maria")
    customer_wrote(desk)
    assert desk.surveys.send(number, "csat") == "sent"
    assert desk.socials["x"].sent == [("77", f"Hi Maria, how did we do on #{number}? 1 to 5")]
    assert store.r.hget(store.k("case", number), "survey_sent_at") == NOW.isoformat().encode()
    assert any("Asked @maria by private message" in text for _n, text, _q in desk.notices.said)


def test_no_survey_on_x_without_a_private_conversation_but_on_mastodon_always(store: Store) -> None:
    desk = make_desk(store)
    on_x = answered_case(desk, "1")
    on_mastodon = answered_case(desk, "2", platform="mastodon")
    assert desk.surveys.send(on_x, "csat") == "no-private-messages"
    assert desk.surveys.send(on_mastodon, "csat") == "sent"
    assert desk.socials["x"].sent == [] and len(desk.socials["mastodon"].sent) == 1
    assert "survey_skipped" in [entry.action for entry in store.audit(on_x)]


def test_a_case_moved_to_private_messages_may_be_asked(store: Store) -> None:
    desk = make_desk(store)
    number = answered_case(desk, "1", mode="private")
    assert desk.surveys.send(number, "csat") == "sent"


def test_only_answered_and_finished_cases_are_asked(store: Store) -> None:
    desk = make_desk(store)
    customer_wrote(desk)
    reopened = answered_case(desk, "1")
    assert desk.store.transition(reopened, Action.REOPEN, "bridge").ok
    never_answered, _ = store.create_case_once(routed_case("2", author_id="77"))
    assert store.transition(never_answered, Action.RESOLVE, "U0SOC1").ok
    assert desk.surveys.send(reopened, "csat") == "not-resolved"
    assert desk.surveys.send(never_answered, "csat") == "not-resolved"
    assert desk.socials["x"].sent == []


def test_trolls_and_ignored_cases_are_never_asked(store: Store) -> None:
    desk = make_desk(store)
    customer_wrote(desk, "77")
    customer_wrote(desk, "78")
    troll = answered_case(desk, "1", verdict="monitor")
    ignored, _ = store.create_case_once(routed_case("2", author_id="78"))
    assert store.transition(ignored, Action.IGNORE, "U0SOC1").ok
    assert store.transition(ignored, Action.REOPEN, "U0SOC1").ok
    store.set_fields(ignored, {"reply_id": "r2"})
    assert store.transition(ignored, Action.RESOLVE, "U0SOC1").ok
    assert store.get(ignored).state == State.RESOLVED
    assert desk.surveys.send(troll, "csat") == "set-aside"
    assert desk.surveys.send(ignored, "csat") == "set-aside"
    assert desk.socials["x"].sent == []


def test_a_customer_is_asked_at_most_once_per_n_days_per_platform(store: Store) -> None:
    desk = make_desk(store)
    customer_wrote(desk)
    first, second = answered_case(desk, "1"), answered_case(desk, "2")
    assert desk.surveys.send(first, "csat") == "sent"
    assert desk.surveys.send(first, "csat") == "already-asked"  # a job run twice asks once
    assert desk.surveys.send(second, "csat") == "asked-recently"
    assert len(desk.socials["x"].sent) == 1
    key = store.k("survey", "customer", "x", "77")
    assert 13 * 86_400 < store.r.ttl(key) <= 14 * 86_400
    store.r.delete(key)  # fourteen days later
    third = answered_case(desk, "3")
    assert desk.surveys.send(third, "csat") == "sent"


def test_closed_private_messages_are_recorded_and_not_retried(store: Store) -> None:
    desk = make_desk(store)
    customer_wrote(desk)
    desk.socials["x"].refuse = True
    number = answered_case(desk, "1")
    assert desk.surveys.send(number, "csat") == "refused"
    assert "survey_refused" in [entry.action for entry in store.audit(number)]


def test_the_customers_reply_is_recorded_shown_in_the_thread_and_taken_once(store: Store) -> None:
    desk = make_desk(store)
    customer_wrote(desk)
    number = answered_case(desk, "1")
    desk.surveys.send(number, "csat")
    earlier = DirectMessage("x", "900", "77", "5")  # written before we asked: not an answer
    assert desk.surveys.answer(earlier) is None
    assert desk.surveys.answer(DirectMessage("x", "2000", "77", "where is my parcel?")) is None
    reply = DirectMessage("x", "2001", "77", "4 - thanks <!channel>")
    answered = desk.surveys.answer(reply)
    assert answered is not None and (answered.number, answered.kind, answered.score) == (number, "csat", 4)
    fields = {_s(k): _s(v) for k, v in store.r.hgetall(store.k("case", number)).items()}
    assert fields["csat"] == "4" and fields["survey_comment"] == "thanks <!channel>"
    assert (number, "@maria answered the survey: CSAT 4/5. They wrote:", reply.text) in desk.notices.said
    again = desk.surveys.answer(reply)  # the same message read on the next poll
    assert again is not None and not again.fresh
    assert [e.action for e in store.audit(number)].count("survey_answered") == 1
    assert desk.surveys.answer(DirectMessage("x", "2002", "77", "2")) is None  # nobody asked any more


def test_an_out_of_range_reply_is_not_recorded_and_nobody_is_asked_again(store: Store) -> None:
    desk = make_desk(store)
    customer_wrote(desk)
    number = answered_case(desk, "1")
    desk.surveys.send(number, "csat")
    assert desk.surveys.answer(DirectMessage("x", "2001", "77", "7 out of 10")) is None
    assert b"csat" not in store.r.hgetall(store.k("case", number))
    assert len(desk.socials["x"].sent) == 1


def test_nps_follows_an_answered_csat(store: Store) -> None:
    desk = make_desk(store, nps=True)
    customer_wrote(desk)
    number = answered_case(desk, "1")
    desk.surveys.send(number, "csat")
    desk.surveys.answer(DirectMessage("x", "2001", "77", "5"))
    assert desk.scheduled == [(number, "nps", None)]
    assert desk.surveys.send(number, "nps") == "sent"
    assert "recommend Acme" in desk.socials["x"].sent[-1][1]
    assert desk.surveys.answer(DirectMessage("x", "2003", "77", "9/10 keep it up")) is not None
    fields = store.r.hgetall(store.k("case", number))
    assert fields[b"csat"] == b"5" and fields[b"nps"] == b"9" and fields[b"survey_comment"] == b"keep it up"


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("surveys: {csat: false}", "desk.yml:6: surveys.csat: a survey asks csat: true or nps: true"),
        ("surveys: {delay_minutes: -5}", "desk.yml:6: surveys.delay_minutes"),
        ("surveys: {csat_question: 'Hi {{ author.nick }}'}", "surveys.csat_question: unknown placeholder"),
        ("surveys: {nsp: true}", "desk.yml:6: surveys.nsp: unknown key (expected one of: answer_days"),
        ("surveys: {platforms: [x, myspace]}", "surveys.platforms: unknown platform myspace (expected: x"),
        ("measure: {tracked_link: true}", "desk.yml:6: measure.tracked_link"),
    ],
)
def test_playbook_mistakes_in_the_sections_name_file_line_and_key(section: str, expected: str) -> None:
    from bridge.domain.errors import PlaybookError

    with pytest.raises(PlaybookError) as caught:
        load_model(Path("desk.yml"), Playbook, text=PLAYBOOK + section + "\n")
    assert expected in str(caught.value)


def test_forgetting_the_customer_removes_their_comment_and_the_survey_keys(store: Store) -> None:
    desk = make_desk(store)
    customer_wrote(desk)
    number = answered_case(desk, "1")
    desk.surveys.send(number, "csat")
    desk.surveys.answer(DirectMessage("x", "2001", "77", "5 - Maria from Leeds, parcel 88231 arrived"))
    eraser = Eraser(store, NOW.date())
    eraser.erase(eraser.plan(Customer(handle="maria", platform="x")), by="dpo")
    fields = store.r.hgetall(store.k("case", number))
    assert fields[b"csat"] == b"5"  # the score is not theirs to identify them by
    assert fields[b"survey_comment"] == b"[erased on 2026-12-01]"
    assert not store.r.exists(store.k("survey", "customer", "x", "77"))
    timeline = [value for entry in store.audit(number) for value in entry.fields.values()]
    assert not [value for value in timeline if "88231" in value]


def test_on_mastodon_a_direct_mention_answers_and_a_public_one_never_does(store: Store) -> None:
    desk = make_desk(store)
    number = answered_case(desk, "1", platform="mastodon", author_id="110")
    assert desk.surveys.send(number, "csat") == "sent"

    def mention(post_id: str, text: str, visibility: str) -> Mention:
        author = Author("110", "maria", "Maria")
        return Mention("mastodon", post_id, text, author, NOW, "https://m.example/1", visibility=visibility)

    assert (
        desk.surveys.answer_mention(mention("2001", "@AcmeHelp 2 days and still nothing", "public")) is None
    )
    answered = desk.surveys.answer_mention(mention("2002", "@AcmeHelp 5", "direct"))
    assert answered is not None and answered.score == 5
    fields = store.r.hgetall(store.k("case", number))
    assert fields[b"csat"] == b"5" and b"survey_comment" not in fields


def test_the_sample_playbooks_commented_sections_load_when_uncommented() -> None:
    lines = (ROOT / "playbooks" / "acme.yml").read_text(encoding="utf-8").splitlines()
    start = lines.index("# surveys:")
    wanted = ("# surveys:", "# measure:", "#   ")  # the sections and their keys, not the prose
    block = [line.removeprefix("# ") for line in lines[start:] if line.startswith(wanted)]
    playbook = load_model(Path("acme.yml"), Playbook, text="\n".join([*lines[:start], *block]))
    assert playbook.surveys is not None and playbook.surveys.kinds() == ["csat"]
    assert playbook.measure.tracked_links
