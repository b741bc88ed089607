"""One escaping path per chat platform for text the bridge does not vouch for: command answers' verbatim
part, Slack code blocks, Teams code blocks and Teams notification summaries."""

from __future__ import annotations

from adapters.slack.commands import command_answer
from adapters.slack.text import code_block as slack_code_block
from adapters.teams.text import WORD_JOINER, plain
from adapters.teams.text import code_block as teams_code_block
from bridge.desk.commands import CommandReply

HOSTILE = "hi <@U0CEO99> <!channel> <https://evil.example|click> ``` *bold* <at>Dana</at> & more"


def test_a_command_answers_verbatim_part_is_escaped_in_a_block_slack_links_nothing_in() -> None:
    answer = command_answer(CommandReply("#1002 · owner <@U0EXP1>", verbatim=HOSTILE))
    words, block = answer["blocks"]
    assert words["text"]["text"] == "#1002 · owner <@U0EXP1>"  # the bridge's people stay live
    assert block["text"]["verbatim"] is True
    shown = block["text"]["text"]
    assert shown.startswith("```") and shown.endswith("```") and shown.count("```") == 2
    assert "<@U0CEO99>" not in shown and "&lt;@U0CEO99&gt;" in shown and "&lt;!channel&gt;" in shown
    assert "<" not in answer["text"].replace("<@U0EXP1>", "")
    assert answer["response_type"] == "ephemeral"


def test_a_long_verbatim_part_is_cut_inside_its_block() -> None:
    block = slack_code_block("<" * 5000, 2960)
    assert len(block) <= 2960 and block.endswith("```") and "more characters" in block


def test_teams_code_block_keeps_tags_and_fences_inert() -> None:
    block = teams_code_block(HOSTILE)
    body = block[len("```\n") : -len("\n```")]
    assert "```" not in body and "<" not in body
    assert "&lt;at>Dana&lt;/at>" in body and "&amp; more" in body


def test_a_teams_summary_is_plain_text_without_escapes_or_invisible_characters() -> None:
    summary = plain("Case #1001 from @dana_b: [click] *now*\nsecond\u200b line\u2060 \u202eevil", 200)
    assert summary == "Case #1001 from @dana_b: [click] *now* second line evil"
    assert "\\" not in summary and WORD_JOINER not in summary


def test_a_teams_summary_keeps_emoji_sequences_and_is_cut_visibly() -> None:
    assert plain("team 👩\u200d💻 ok", 200) == "team 👩\u200d💻 ok"
    cut = plain("word " * 100, 50)
    assert len(cut) <= 50 and cut.endswith("…")


def test_a_command_answer_with_only_a_verbatim_part_has_no_empty_section() -> None:
    answer = command_answer(CommandReply("", verbatim="the timeline"))
    assert [b["text"]["text"] for b in answer["blocks"]] == ["```the timeline```"]


def test_long_bridge_words_are_cut_within_a_section_never_inside_an_entity() -> None:
    answer = command_answer(CommandReply("a" * 2998 + "<b>"))
    shown = answer["blocks"][0]["text"]["text"]
    assert len(shown) <= 3000 and shown.endswith("a…")
