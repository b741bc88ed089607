"""``python -m standins.teams_demo``: the concierge loop in Microsoft Teams, on this machine.

Like ``bridge demo`` for Slack, with no credentials and no internet: an embedded Redis, a Bot
Connector stand-in and the X stand-in, the bot in local mode (it says so, loudly), and the real
``/api/messages`` driven with the activities Teams sends: the install, Claim clicks, a draft in the
card's thread and the approval. It prints what each side saw and exits 0 when the answer is on X.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

from bridge.store.redis_conn import shutdown_embedded
from standins.bot_connector import BotConnectorStandIn
from standins.demo import THROWAWAY
from standins.teams_harness import PEOPLE, LocalTeamsBridge

PLAYBOOK = f"""
brand: {{name: Acme}}
accounts: {{x: {{user_id: "2244994945", handle: AcmeHelp}}}}
default_department: social
departments:
  social: {{teams_channel: Social desk, experts: ["{PEOPLE["sam"].aad}"], approvers: ["{PEOPLE["sue"].aad}"]}}
  billing:
    teams_channel: Acme Care/Billing
    experts: ["{PEOPLE["erin"].aad}", "{PEOPLE["eddie"].aad}"]
    approvers: ["{PEOPLE["ann"].aad}"]
    keywords: [refund, invoice, charged]
"""
MENTION = "@AcmeHelp I was charged twice for order 88231 [click](https://evil.example) <at>CEO</at>"
ANSWER = (
    "Hi @maria_k, sorry about the double charge on order 88231. The second payment is refunded today; "
    "it shows in 3-5 working days."
)


def _notice(card: dict[str, Any]) -> str:
    """What the clicking person is told on their copy of the card."""
    told = [e["text"] for e in card.get("body", []) if e.get("color") in ("good", "attention")]
    return told[-1] if told else ""


def _first_text(card: dict[str, Any] | None) -> str:
    for element in (card or {}).get("body", []):
        if element.get("type") == "FactSet":
            return " · ".join(f"{f['title']}: {f['value']}" for f in element["facts"])
    return ""


def run_teams_demo(out: TextIO = sys.stdout) -> int:
    def say(side: str, text: str) -> None:
        print(f"[{side:<16}] {text}", file=out)

    with tempfile.TemporaryDirectory(prefix="bridge-teams-demo-") as data_dir:
        playbook = Path(data_dir) / "playbook.yml"
        playbook.write_text(PLAYBOOK)
        with LocalTeamsBridge(playbook=playbook, redis_url=None, data_dir=Path(data_dir)) as bridge:
            print("\n== The bridge is added to the team 'Acme Care'", file=out)
            say("Teams → bridge", f"conversationUpdate (bot added) → HTTP {bridge.install().status}")
            for call in bridge.connector.calls:
                say("bridge → Teams", f"{call.method} {call.path}")
            print("\n== A customer mentions @AcmeHelp on X; a card appears in Billing", file=out)
            bridge.x.add_mention(MENTION, author_handle="maria_k", author_name="Maria K.")
            say("customer → X", MENTION)
            bridge.poll()
            bridge.drain()
            number = bridge.rt.store.open_cases()[0]
            card = bridge.card(number)
            say("bridge → Teams", f"Adaptive Card in Billing: {card['body'][2]['items'][0]['text']}")
            say("bridge → Teams", f"buttons: {', '.join(a['title'] for a in card['actions'])}")
            print("\n== Erin clicks Claim; Eddie a moment later", file=out)
            for who in ("erin", "eddie"):
                answer = bridge.execute(who, number, "case_claim")
                say(
                    "Teams → bridge",
                    f"{PEOPLE[who].name} clicked Claim → {_notice(answer.json()['value'])}",
                )
            bridge.drain()
            print("\n== Erin writes a note, then the answer, in the card's thread", file=out)
            bridge.reply("erin", number, "note: ledger shows two captures")
            bridge.reply("erin", number, ANSWER)
            bridge.drain()
            preview = BotConnectorStandIn.card_of(bridge.thread(number)[-1]) or {}
            say("bridge → Teams", f"preview: {preview['body'][0]['text']}")
            print("\n== Sign-off: Erin is no approver; Ann is", file=out)
            for who in ("erin", "ann"):
                answer = bridge.execute(who, number, "draft_approve", {"case": number, "version": 1})
                say(
                    "Teams → bridge",
                    f"{PEOPLE[who].name} clicked Approve → {_notice(answer.json()['value'])}",
                )
            bridge.drain()
            for request in bridge.x.requests:
                if request.method == "POST" and request.path == "/2/tweets":
                    say("bridge → X", str((request.json or {}).get("text")))
            say("bridge → Teams", f"card now: {_first_text(bridge.card(number))}")
            ok = bridge.rt.store.get(number).state.value == "posted"
            print(
                "\n== " + ("Done: the answer is on X and the card says so." if ok else "Not finished."),
                file=out,
            )
            say("bridge", THROWAWAY.format(number=number))
            bridge.stop()
        shutdown_embedded(Path(data_dir))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(run_teams_demo())
