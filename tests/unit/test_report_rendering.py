"""Reports and customer history as Slack and Teams render them: the chart where each platform can show
it, long reports within Block Kit's limits, and stored values escaped."""

from __future__ import annotations

import json

from adapters.slack.cards import card_blocks
from adapters.slack.commands import SECTION_TEXT_MAX, command_answer
from adapters.slack.crisis_cards import notice_blocks
from adapters.teams.cardkit import INLINE_IMAGE_MAX
from adapters.teams.cards import case_card
from adapters.teams.crisis_cards import notice_card
from bridge.crisis.ports import Notice
from bridge.desk.commands import CommandReply
from bridge.domain.ports import ChartImage
from tests.support.blockkit import block_errors
from tests.unit.test_slack_cards import card

CHART = ChartImage("Cases per day", b"\x89PNG small", "https://bridge.example.com/reports/charts/abc.png")
HOSTILE_HISTORY = "2 earlier cases · last #1012: resolved <!channel> [x](https://evil.example)"


def test_slack_shows_the_chart_by_its_url_and_splits_a_long_report() -> None:
    report = "*Desk report*\n" + "\n".join(f"• *KPI {i}*: {i} min — _{'words ' * 30}_" for i in range(30))
    answer = command_answer(CommandReply(report, image=CHART))
    images = [b for b in answer["blocks"] if b["type"] == "image"]
    assert images == [{"type": "image", "image_url": CHART.url, "alt_text": "Cases per day"}]
    sections = [b for b in answer["blocks"] if b["type"] == "section"]
    assert len(sections) > 1 and all(len(s["text"]["text"]) <= SECTION_TEXT_MAX for s in sections)
    assert not block_errors(answer["blocks"])
    without_url = command_answer(CommandReply("*r*", image=ChartImage("c", b"png")))
    assert [b["type"] for b in without_url["blocks"]] == ["section"]


def test_a_digest_notice_carries_its_chart_on_both_platforms() -> None:
    notice = Notice(title="Daily desk report", text="• *Cases*: 3", image=CHART, key="report:daily")
    assert {"type": "image", "image_url": CHART.url, "alt_text": "Cases per day"} in notice_blocks(notice)
    body = notice_card(notice)["body"]
    image = next(item for item in body if item["type"] == "Image")
    assert image["url"].startswith("data:image/png;base64,")  # small: inline, no public URL needed
    words = json.dumps(body, ensure_ascii=False)
    assert "**Cases**: 3" in words  # the report's mrkdwn as Teams markdown
    defined = notice_card(Notice(title="t", text="• *SLA*: 90% — _share within target_ of snake_case"))
    assert "— _share within target_ of snake\\\\_case" in json.dumps(defined, ensure_ascii=False)
    big = ChartImage("big", b"x" * INLINE_IMAGE_MAX, CHART.url)
    body = notice_card(Notice(title="t", image=big))["body"]
    assert next(item for item in body if item["type"] == "Image")["url"] == CHART.url


def test_the_customer_history_line_is_rendered_inert() -> None:
    view = card(customer_history=HOSTILE_HISTORY)
    slack = json.dumps(card_blocks(view), ensure_ascii=False)
    assert "*Customer history*" in slack and "<!channel>" not in slack and "&lt;!channel&gt;" in slack
    teams = json.dumps(case_card(view), ensure_ascii=False)
    assert "Customer history" in teams and "](https://evil.example)" not in teams


def test_the_customer_history_links_to_the_dashboards_list_of_their_cases() -> None:
    url = "https://bridge.example/dashboard/cases?handle=maria_k"
    view = card(customer_history="2 earlier cases · last #1012: resolved", customer_history_url=url)
    slack = json.dumps(card_blocks(view), ensure_ascii=False)
    assert f"(<{url}|see them>)" in slack
    teams = json.dumps(case_card(view), ensure_ascii=False)
    assert f"([see them]({url}))" in teams
    sly = card(customer_history="1 earlier case", customer_history_url="javascript:alert(1)")
    assert "javascript" not in json.dumps(card_blocks(sly)) + json.dumps(case_card(sly))
