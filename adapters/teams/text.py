"""Text crossing into and out of Microsoft Teams.

Outbound, a customer's words are shown in Adaptive Card ``TextBlock``\\s, which render a CommonMark
subset, ``{{DATE(…)}}``/``{{TIME(…)}}`` template functions, and (in Teams) ``<at>…</at>`` mentions; a
client may also turn bare URLs and addresses into links. :func:`escape` makes all of that inert: markdown
punctuation gets CommonMark backslash escapes, and an invisible WORD JOINER (U+2060) is put where a
link, a template function or a mention would otherwise start, so the text still *looks* exactly as the
customer wrote it. Inbound, a Teams message's ``<at>`` tags and HTML entities become plain text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Mapping

CUT_MARKER = " … [cut: {n} more characters, open the post to read all]"
WORD_JOINER = "\u2060"

# Always escaped: they open emphasis, code, links, HTML or entities wherever they stand.
_INLINE = re.compile(r"([\\`*_~\[\]<>&|])")
# Only at the start of a line (after up to three spaces): headings, list items, setext underlines.
_BLOCK_START = re.compile(r"(?m)^( {0,3})([#+=\-])")
_ORDERED_DOT = re.compile(r"(?m)^( {0,3}\d{1,9})([.)])")
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]{1,20}):(?=//)")
_WWW = re.compile(r"(?i)\b(www)\.")
_DOMAIN_DOT = re.compile(r"(?i)(?<=[a-z0-9])\.(?=[a-z]{2,}\b)")
_EMAIL_AT = re.compile(r"(?<=[\w.+\-])@(?=[\w\-]+\.)")
_TEMPLATE = re.compile(r"\{(?=\{)")
_URL = re.compile(r"https?://[^\s<>\"]+")
_TRAILING = ").,:;!?"
PERSON = re.compile(r"<@([A-Za-z0-9:_\-.]{2,100})>")


def _defuse_links(text: str) -> str:
    """Break what a client could auto-link (schemes, www., domains, e-mail addresses) invisibly."""
    text = _SCHEME.sub(lambda m: m.group(1) + ":" + WORD_JOINER, text)
    text = _WWW.sub(lambda m: m.group(1) + WORD_JOINER + ".", text)
    text = _DOMAIN_DOT.sub("." + WORD_JOINER, text)
    return _EMAIL_AT.sub("@" + WORD_JOINER, text)


def _escape_markdown(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INLINE.sub(r"\\\1", text)
    text = text.replace("\\<", "\\<" + WORD_JOINER)  # never the start of <at> or an HTML tag
    text = _ORDERED_DOT.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    text = _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return _TEMPLATE.sub("{" + WORD_JOINER, text)


def escape(text: str) -> str:
    """Untrusted text (a customer's words, names, handles) as inert Adaptive Card markdown."""
    return _escape_markdown(_defuse_links(text))


def _link_part(url: str) -> str:
    """A URL match without the sentence punctuation after it: trailing ``).,:;!?`` are the text's,
    except a ``)`` that closes a ``(`` inside the URL (``…/Foo_(bar)``)."""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def escape_keeping_links(text: str) -> str:
    """The bridge's own words: escaped like :func:`escape`, but its ``http(s)://`` links stay live."""
    out: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        url = _link_part(match.group(0))
        out.append(_escape_markdown(text[last : match.start()]))
        out.append(url.replace(")", "%29").replace("(", "%28"))
        last = match.start() + len(url)
    out.append(_escape_markdown(text[last:]))
    return "".join(out)


def render_people(
    text: str, name_of: Callable[[str], str], escape_part: Callable[[str], str] = escape_keeping_links
) -> str:
    """The bridge's words with each ``<@ID>`` written as the person's name (or id when unknown)."""
    out: list[str] = []
    last = 0
    for match in PERSON.finditer(text):
        out.append(escape_part(text[last : match.start()]))
        out.append("**" + escape(name_of(match.group(1))) + "**")
        last = match.end()
    out.append(escape_part(text[last:]))
    return "".join(out)


#: Invisible characters kept in plain text: the joiner inside emoji sequences (👩‍💻) and variation selectors.
_VISIBLE_FORMAT = frozenset({"\u200d", "\ufe0e", "\ufe0f"})
_SPACES = re.compile(r"\s+")


def plain(text: str, limit: int) -> str:
    """Text shown as it is, never rendered (a notification's ``summary``): one line, no invisible
    characters (a customer's zero-width or bidi tricks included), cut with "…" within ``limit``."""
    spaced = _SPACES.sub(" ", text)
    line = "".join(
        c for c in spaced if c in _VISIBLE_FORMAT or unicodedata.category(c) not in ("Cf", "Cc", "Co")
    ).strip()
    return line if len(line) <= limit else line[: max(0, limit - 1)].rstrip() + "…"


def code_block(text: str) -> str:
    """Untrusted text shown verbatim in a markdown code block: no backtick of its own can end the
    block, and ``<`` or ``&`` cannot start a tag (``<at>`` included) or an entity inside it."""
    inert = text.replace("`", "\u02cb").replace("&", "&amp;").replace("<", "&lt;")
    return "```\n" + inert + "\n```"


_SLACK_BOLD = re.compile(r"(?<![*\w])\*([^*\n]+)\*(?![*\w])")


def from_mrkdwn(text: str) -> str:
    """The bridge's shared command answers, written in Slack's mrkdwn, as Teams markdown: ``*bold*``
    becomes ``**bold**``; code spans and blocks stay; ``<`` and ``&`` cannot start HTML or entities."""
    return _SLACK_BOLD.sub(r"**\1**", text.replace("&", "&amp;").replace("<", "&lt;"))


def cut(text: str, limit: int) -> str:
    """The longest prefix of ``text`` whose escaped form, with the cut marker, fits in ``limit``."""
    if len(escape(text)) <= limit:
        return escape(text)
    low, high, best = 0, len(text), 0
    while low <= high:
        mid = (low + high) // 2
        if len(escape(text[:mid])) + len(CUT_MARKER.format(n=len(text) - mid)) <= limit:
            best, low = mid, mid + 1
        else:
            high = mid - 1
    return escape(text[:best]) + CUT_MARKER.format(n=len(text) - best)


_AT_TAG = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_BREAKS = re.compile(r"(?i)<br\s*/?>|</p>|</div>|</li>")
# Only the tags Teams itself writes into a formatted message; "<3" or "a < b" typed by a person stays.
_TAG = re.compile(
    r"(?i)</?(?:p|div|span|br|b|i|u|s|em|strong|strike|a|ul|ol|li|blockquote|pre|code|h[1-6]|img)\b[^<>]*>"
)


def from_teams(text: str, *, mentions: Mapping[str, str] | None = None, drop: tuple[str, ...] = ()) -> str:
    """Plain text from a Teams message: ``<at>Name</at>`` becomes ``@Name`` (or ``mentions[Name]``,
    e.g. ``<@ID>``), names in ``drop`` (the bot's own) vanish, other markup goes, entities decode."""

    def mention(match: re.Match[str]) -> str:
        name = html.unescape(match.group(1)).strip()
        if name in drop:
            return ""
        return (mentions or {}).get(name) or "@" + name

    plain = _TAG.sub("", _BREAKS.sub("\n", _AT_TAG.sub(mention, text)))
    plain = html.unescape(plain).replace("\xa0", " ")
    return "\n".join(line.rstrip() for line in plain.strip().split("\n"))
