"""Customer text in Teams cards is inert: no live links, mentions, markup or template functions."""

from __future__ import annotations

import re

import pytest

from adapters.teams.text import (
    WORD_JOINER,
    cut,
    escape,
    escape_keeping_links,
    from_mrkdwn,
    from_teams,
    render_people,
)

# A markdown link, an autolink, or a bare URL a client could make clickable.
LIVE_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(|<https?:|https?://|www\.")


def visible(text: str) -> str:
    """What a CommonMark renderer shows: backslash escapes resolved, invisible joiners dropped."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text).replace(WORD_JOINER, "")


@pytest.mark.parametrize(
    "hostile",
    [
        "[click here](https://evil.example/login)",
        "see https://evil.example/x and www.evil.example",
        "<https://evil.example>",
        "mail me at someone@evil.example",
        "visit evil.com now",
    ],
)
def test_customer_links_never_become_live(hostile: str) -> None:
    out = escape(hostile)
    assert not LIVE_LINK.search(out)
    assert not re.search(r"evil\.(example|com)|@evil", out)  # no domain or address left to auto-link
    assert visible(out) == hostile  # the words look exactly as the customer wrote them


def test_a_mention_tag_from_a_customer_is_not_a_teams_mention() -> None:
    out = escape("<at>CEO</at> look at this")
    assert "<at>" not in out and "</at>" not in out
    assert visible(out) == "<at>CEO</at> look at this"


def test_html_entities_stay_literal() -> None:
    out = escape("&lt;at&gt;Boss&lt;/at&gt; &amp; co")
    assert "\\&lt;" in out and "\\&amp;" in out  # not decoded into < > &
    assert visible(out) == "&lt;at&gt;Boss&lt;/at&gt; &amp; co"


def test_template_functions_are_not_evaluated() -> None:
    out = escape("{{DATE(2017-02-14T06:08:39Z, SHORT)}}")
    assert "{{" not in out
    assert visible(out) == "{{DATE(2017-02-14T06:08:39Z, SHORT)}}"


@pytest.mark.parametrize(
    "markup",
    ["**bold** and _italic_ and ~strike~ and `code`", "# heading", "- item", "+ item", "1. first", "> quote"],
)
def test_markdown_is_escaped_but_reads_the_same(markup: str) -> None:
    out = escape(markup)
    assert visible(out) == markup
    for char in "*_~`":
        assert re.search(rf"(?<!\\){re.escape(char)}", out) is None
    assert not re.match(r"^(#|-|\+|\d+\.|>)", out)


def test_emoji_and_cjk_pass_unchanged() -> None:
    assert escape("返金してください 🙏") == "返金してください 🙏"


def test_the_bridges_own_links_stay_live_but_its_markup_is_escaped() -> None:
    out = escape_keeping_links("Posted: https://x.com/AcmeHelp/status/1 to @maria_k")
    assert "https://x.com/AcmeHelp/status/1" in out and "@maria\\_k" in out


def test_people_are_named_and_their_names_escaped() -> None:
    names = {"U1": "Erin *Expert*"}
    out = render_people("Claimed by <@U1> and <@U2>", lambda u: names.get(u, u))
    assert out == "Claimed by **Erin \\*Expert\\*** and **U2**"


def test_cut_marks_what_it_left_out_and_fits() -> None:
    out = cut("*" * 500, 100)
    assert len(out) <= 100 and "more characters" in out
    assert cut("short", 100) == "short"


def test_teams_text_becomes_plain_text() -> None:
    raw = "<at>Bridge</at> Hi <at>Ann</at>,&nbsp;we refunded it &lt;3\n"
    assert from_teams(raw.replace("<at>Bridge</at>", "")) == "Hi @Ann, we refunded it <3"
    assert from_teams("<at>Ann</at> ok", mentions={"Ann": "<@aad-1>"}) == "<@aad-1> ok"
    assert from_teams("<p>line one</p><p>line <b>two</b></p>") == "line one\nline two"


def test_shared_mrkdwn_answers_become_teams_markdown() -> None:
    out = from_mrkdwn("*/bridge* commands:\n• `route 1042 billing` <x> & 2*3*4")
    assert out.startswith("**/bridge** commands:")
    assert "`route 1042 billing`" in out and "&lt;x>" in out and "&amp;" in out and "2*3*4" in out


@pytest.mark.parametrize(
    ("text", "link", "after"),
    [
        ("(https://x.com/bob_b/status/123)", "https://x.com/bob_b/status/123", ")"),
        ("See https://x.com/bob_b/status/123.", "https://x.com/bob_b/status/123", "."),
        ("at https://x.com/a?b=1, https://x.com/c!", "https://x.com/a?b=1", ","),
        ("(see https://x.com/a).", "https://x.com/a", ")."),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_%28bar%29", ""),
        ("(https://en.wikipedia.org/wiki/Foo_(bar))", "https://en.wikipedia.org/wiki/Foo_%28bar%29", ")"),
    ],
)
def test_punctuation_after_a_link_stays_out_of_it(text: str, link: str, after: str) -> None:
    out = escape_keeping_links(text)
    assert link in out and "%29%29" not in out
    assert out.split(link, 1)[1].startswith(after) and not out.split(link, 1)[1].startswith(after + "%")
