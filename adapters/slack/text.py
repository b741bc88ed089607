"""Text crossing into and out of Slack.

Outbound, untrusted text is escaped (``&``, ``<``, ``>``) so ``<!channel>`` or ``<https://evil|click>``
from a customer renders as inert characters, and long text is cut with a visible marker within Block
Kit's limits. Inbound, Slack's own markup in a thread reply (escaped entities, ``<url|label>`` links) is
turned back into the plain text that will be posted to the customer.
"""

from __future__ import annotations

import re

CUT_MARKER = " … [cut: {n} more characters, open the post to read all]"

_MENTION_TOKEN = re.compile(r"&lt;@([UW][A-Z0-9]{2,20})&gt;")
_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def escape(text: str) -> str:
    """Slack's three control characters as entities; nothing else is needed to make text inert."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_keeping_people(text: str) -> str:
    """Escape bridge-written text but keep its ``<@U…>`` references to people working live."""
    return _MENTION_TOKEN.sub(r"<@\1>", escape(text))


def cut(text: str, limit: int) -> str:
    """The longest prefix of ``text`` whose escaped form, with the cut marker, fits in ``limit``."""
    if len(escape(text)) <= limit:
        return escape(text)
    low, high = 0, len(text)
    best = 0
    while low <= high:
        mid = (low + high) // 2
        marker = CUT_MARKER.format(n=len(text) - mid)
        if len(escape(text[:mid])) + len(marker) <= limit:
            best, low = mid, mid + 1
        else:
            high = mid - 1
    return escape(text[:best]) + CUT_MARKER.format(n=len(text) - best)


def code_block(text: str, limit: int) -> str:
    """Untrusted text shown verbatim in a code block within ``limit`` characters: escaped, cut, and
    with its backticks made look-alikes (MODIFIER LETTER GRAVE ACCENT) so that none of them can end
    the block and let what follows render as live mrkdwn."""
    return "```" + cut(text.replace("`", "\u02cb"), max(1, limit - 6)) + "```"


def quote(escaped: str) -> str:
    """Block-quote every line of already escaped text."""
    return "\n".join("> " + line for line in escaped.split("\n"))


def _unlink(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith(("@", "!")):
        return "<" + target + ">" if label is None else label
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("mailto:"):
        return label or target[len("mailto:") :]
    if not label or _bare(label) == _bare(target):
        return label or target  # a link Slack made from what was typed: keep what was typed
    return f"{label} {target}"  # a link given a text of its own: the customer needs the address too


def _bare(url: str) -> str:
    """A URL as people type it: no scheme, no trailing slash, any case."""
    return re.sub(r"^[a-z]+://", "", url.strip(), flags=re.IGNORECASE).rstrip("/").casefold()


def from_slack(text: str) -> str:
    """Plain text from a Slack message: links to what was typed, entities decoded."""
    plain = _LINK.sub(_unlink, text)
    return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
