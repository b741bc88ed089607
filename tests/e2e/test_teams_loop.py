"""The concierge loop in Microsoft Teams, end to end: the real botbuilder adapter behind
``/api/messages`` over HTTP, botbuilder's Bot Connector client against the local stand-in (the
activities' ``serviceUrl``), tweepy against the X stand-in, real Redis and a real RQ worker."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.teams.registry import TeamsRegistry
from bridge.domain.lifecycle import State
from standins.teams_harness import PEOPLE, LocalTeamsBridge
from tests.e2e.test_concierge_loop import open_case
from tests.support.adaptive_cards import errors, texts, titles, validator

pytestmark = pytest.mark.e2e

ANSWER = "Hi @maria_k, sorry! The second charge is refunded today."


def shown(answer: Any) -> dict[str, Any]:
    """The card an invoke answered with: what the clicking person now sees."""
    assert answer.status == 200, answer.text
    body = answer.json()
    assert body["type"] == "application/vnd.microsoft.card.adaptive", body
    return dict(body["value"])


def drafted(bridge: LocalTeamsBridge, text: str = ANSWER) -> int:
    number = open_case(bridge)
    shown(bridge.execute("erin", number, "case_claim"))
    answer, _ = bridge.reply("erin", number, text)
    assert answer.status == 200
    bridge.drain()
    return number


def x_posts(bridge: LocalTeamsBridge) -> list[dict[str, Any]]:
    return [r.json for r in bridge.x.requests if r.method == "POST" and r.path == "/2/tweets"]


def previews(bridge: LocalTeamsBridge, number: int) -> list[dict[str, Any]]:
    cards = [bridge.connector.card_of(m) for m in bridge.thread(number)]
    return [c for c in cards if c and "Draft v" in texts(c)]


def test_installing_the_bot_records_the_team_and_its_channels(teams: LocalTeamsBridge) -> None:
    registry = TeamsRegistry(teams.rt.redis, teams.rt.settings.bridge_key_prefix)
    assert teams.connector.calls_to("channels")
    assert registry.resolve("Billing").id == "19:billing@thread.tacv2"
    assert registry.resolve("Acme Care/Social desk").service_url == teams.service_url
    assert registry.resolve("General").id == registry.resolve("Acme Care/General").team_id


def test_a_routed_case_is_an_adaptive_card_in_its_departments_channel(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    sends = teams.connector.calls_to("send")
    assert [c.conversation for c in sends] == ["19:billing@thread.tacv2"]
    case = teams.rt.store.get(number)
    assert (case.chat, case.channel) == ("teams", "Acme Care/Billing")
    card = teams.card(number)
    assert not errors(validator(), card)
    text = texts(card)
    for expected in (f"Case #{number}", "Maria K.", "@maria\\_k", "first response due", "billing"):
        assert expected in text
    assert f"https://x.com/maria_k/status/{case.post_id}" in text
    assert titles(card) == ["Claim", "Reassign", "Ignore"]


def test_claim_updates_the_card_in_place_and_the_second_clicker_is_told_who_owns_it(
    teams: LocalTeamsBridge,
) -> None:
    number = open_case(teams)
    assert "You claimed" in texts(shown(teams.execute("erin", number, "case_claim")))
    refused = shown(teams.execute("eddie", number, "case_claim"))
    assert "already claimed by **Erin Expert**" in texts(refused)
    teams.drain()
    case = teams.rt.store.get(number)
    assert case.state == State.CLAIMED and case.claimant == PEOPLE["erin"].aad
    assert teams.connector.edits(case.card_ts) >= 1 and len(teams.connector.calls_to("send")) == 1
    card = teams.card(number)
    assert "Claimed by **Erin Expert**" in texts(card) and titles(card) == ["Draft", "Reassign", "Ignore"]


def test_someone_outside_the_department_cannot_claim(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    refused = texts(shown(teams.execute("lou", number, "case_claim")))
    assert "Only billing experts and approvers may claim" in refused
    assert "Erin Expert" in refused and "Eddie Expert" in refused and "Ann Approver" in refused
    assert teams.rt.store.get(number).claimant == ""


def test_full_loop_thread_draft_approve_posts_on_x_once_and_updates_the_card(teams: LocalTeamsBridge) -> None:
    number = drafted(teams)
    preview = previews(teams, number)[-1]
    assert not errors(validator(), preview)
    assert "Draft v1" in texts(preview) and "/280" in texts(preview) and "Erin Expert" in texts(preview)
    assert titles(preview) == [] and "Waiting for sign-off by **Ann Approver**" in texts(preview)
    anns = shown(teams.execute("ann", number, "preview_refresh", {"case": number, "version": 1}))
    assert titles(anns) == ["Approve", "Request changes"]
    for _ in range(2):  # a double click: two invokes, one post
        approved = shown(teams.execute("ann", number, "draft_approve", {"case": number, "version": 1}))
    assert titles(approved) == [] and "Approved by **Ann Approver**" in texts(approved)
    teams.drain()
    posts = x_posts(teams)
    case = teams.rt.store.get(number)
    assert [p["text"] for p in posts] == [ANSWER]
    assert posts[0]["reply"]["in_reply_to_tweet_id"] == case.post_id
    assert case.state == State.POSTED
    thread = [m.get("text") or "" for m in teams.thread(number)]
    assert any(t.startswith("Posted from @AcmeHelp: https://x.com/AcmeHelp/status/") for t in thread)
    assert "Answered" in texts(teams.card(number)) and "view the reply" in texts(teams.card(number))
    actions = [e.action for e in teams.rt.store.audit(number)]
    for step in ("claim", "draft", "approve", "begin_posting", "posted"):
        assert step in actions


def test_notes_and_colleagues_words_in_the_thread_are_never_drafts(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    shown(teams.execute("erin", number, "case_claim"))
    teams.reply("erin", number, "note: checking the ledger first")
    teams.reply("eddie", number, "I think it was the card processor")
    teams.drain()
    case = teams.rt.store.get(number)
    assert case.draft_version == 0 and case.state == State.CLAIMED
    notes = [e.fields.get("note", "") for e in teams.rt.store.audit(number) if e.action == "note"]
    assert notes == ["checking the ledger first"]


def test_a_reply_that_mentions_the_bot_is_still_a_draft(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    shown(teams.execute("erin", number, "case_claim"))
    tag = "<at>Bridge</at>"
    mention = {"type": "mention", "text": tag, "mentioned": {"id": "28:00000000-0000-4000-8000-0000000b0771"}}
    teams.reply("erin", number, f"{tag} {ANSWER}", entities=[mention])
    teams.drain()
    draft = teams.rt.store.draft(number, 1)
    assert draft is not None and draft.text == ANSWER


def test_an_edited_reply_is_a_new_version_and_the_old_approval_cannot_post_it(
    teams: LocalTeamsBridge,
) -> None:
    number = open_case(teams)
    shown(teams.execute("erin", number, "case_claim"))
    _, original = teams.reply("erin", number, "Hi @maria_k, first wording")
    teams.drain()
    assert teams.edit(original, "Hi @maria_k, better wording").status == 200
    teams.drain()
    assert teams.rt.store.get(number).draft_version == 2
    stale = shown(teams.execute("ann", number, "draft_approve", {"case": number, "version": 1}))
    assert "newer draft (v2)" in texts(stale)
    teams.drain()
    assert x_posts(teams) == []
    shown(teams.execute("ann", number, "draft_approve", {"case": number, "version": 2}))
    teams.drain()
    assert [p["text"] for p in x_posts(teams)] == ["Hi @maria_k, better wording"]


def test_nobody_approves_their_own_draft(teams: LocalTeamsBridge) -> None:
    number = open_case(teams, "@AcmeHelp hello there, question about your stores")
    assert teams.rt.store.get(number).department == "social"
    shown(teams.execute("sue", number, "case_claim"))  # an approver may claim and draft
    teams.reply("sue", number, "Hi! Our stores open at nine.")
    teams.drain()
    refused = shown(teams.execute("sue", number, "draft_approve", {"case": number, "version": 1}))
    assert "Four eyes" in texts(refused)
    teams.drain()
    assert teams.rt.store.get(number).state == State.DRAFTED and x_posts(teams) == []


def test_request_changes_sends_the_comment_to_the_claimant_with_a_mention(teams: LocalTeamsBridge) -> None:
    number = drafted(teams)
    data = {"case": number, "version": 1, "comment": "Mention the 3-5 days"}
    shown(teams.execute("ann", number, "draft_request_changes", data))
    teams.drain()
    assert teams.rt.store.get(number).state == State.CLAIMED
    notice = next(m for m in teams.thread(number) if "Mention the 3-5 days" in (m.get("text") or ""))
    assert "<at>Erin Expert</at>" in notice["text"]
    assert [e["mentioned"]["id"] for e in notice["entities"]] == [
        PEOPLE["erin"].account,
        PEOPLE["ann"].account,
    ]


def test_a_draft_over_the_limit_cannot_be_approved_and_says_by_how_much(teams: LocalTeamsBridge) -> None:
    number = drafted(teams, "x" * 290)
    preview = previews(teams, number)[-1]
    assert "290/280" in texts(preview) and "10 over" in texts(preview)
    anns = shown(teams.execute("ann", number, "preview_refresh", {"case": number, "version": 1}))
    assert titles(anns) == ["Request changes"]
    shown(teams.execute("ann", number, "draft_approve", {"case": number, "version": 1}))
    teams.drain()
    assert teams.rt.store.get(number).state == State.DRAFTED and x_posts(teams) == []


def test_the_draft_button_opens_a_prefilled_form_whose_submission_is_a_draft(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    shown(teams.execute("erin", number, "case_claim"))
    refused = shown(teams.execute("eddie", number, "case_draft_open"))
    assert "Only the claimant drafts" in texts(refused)
    form = shown(teams.execute("erin", number, "case_draft_open"))
    box = next(e for e in form["body"] if e.get("id") == "draft")
    assert box["value"].startswith("Hi @maria_k")
    assert not errors(validator(), form)
    teams.execute("erin", number, "case_draft", {"case": number, "draft": "Hi @maria_k, refunded today."})
    teams.drain()
    draft = teams.rt.store.draft(number, 1)
    assert draft is not None and draft.text == "Hi @maria_k, refunded today." and draft.source == "card"
    assert previews(teams, number)


def test_reassign_moves_the_card_and_ignore_records_the_reason(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    shown(teams.execute("erin", number, "case_reassign", {"case": number, "department": "social"}))
    teams.drain()
    case = teams.rt.store.get(number)
    assert case.department == "social" and case.channel == "Social desk"
    assert teams.connector.posts("19:social-desk@thread.tacv2")
    assert titles(teams.card(number)) == ["Claim", "Reassign", "Ignore"]
    refused = shown(teams.execute("sam", number, "case_reassign", {"case": number, "department": "nope"}))
    assert "no department 'nope'" in texts(refused)
    shown(teams.execute("sam", number, "case_ignore", {"case": number, "reason": "spam"}))
    teams.drain()
    assert teams.rt.store.get(number).state == State.IGNORED
    assert "Ignored: spam" in texts(teams.card(number))


def test_each_person_sees_the_preview_their_role_allows(teams: LocalTeamsBridge) -> None:
    number = drafted(teams)
    preview = previews(teams, number)[-1]
    assert PEOPLE["erin"].account in preview["refresh"]["userIds"]
    data = {"case": number, "version": 1}
    assert titles(shown(teams.execute("ann", number, "preview_refresh", data))) == [
        "Approve",
        "Request changes",
    ]
    erins = shown(teams.execute("erin", number, "preview_refresh", data))
    assert titles(erins) == [] and "Waiting for sign-off by **Ann Approver**" in texts(erins)
    teams.reply("erin", number, "Hi @maria_k, new wording")
    teams.drain()
    assert "Superseded by draft v2" in texts(shown(teams.execute("ann", number, "preview_refresh", data)))


def test_a_refused_thread_reply_is_told_to_the_person_privately(teams: LocalTeamsBridge) -> None:
    number = drafted(teams)
    shown(teams.execute("ann", number, "draft_approve", {"case": number, "version": 1}))
    teams.drain()
    teams.reply("erin", number, "Hi @maria_k, one more thing")
    teams.drain()
    created = teams.connector.calls_to("create")
    assert created and created[-1].body["members"] == [{"id": PEOPLE["erin"].account}]
    private = [c for c in teams.connector.calls_to("send") if c.conversation.startswith("a:")]
    assert private and "it is posted" in private[-1].body["text"]


def test_a_department_with_both_chats_keeps_its_case_in_one(teams: LocalTeamsBridge) -> None:
    number = open_case(teams, "@AcmeHelp where is my parcel? tracking is empty", handle="tom")
    case = teams.rt.store.get(number)
    assert (case.department, case.chat, case.channel) == ("logistics", "slack", "C0LOGIST")
    assert len(teams.slack.calls_to("chat.postMessage")) == 1
    assert teams.connector.calls_to("send") == []
