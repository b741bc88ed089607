"""Status HTML → plain text, so no markup from a post ever reaches a case.

Mastodon delivers a status's ``content`` as HTML: paragraphs, line breaks, mention and hashtag links,
and long links shortened with hidden spans. The case keeps the words and every link target as text
(a link whose visible text is not its target reads ``text (target)``); chat adapters escape it again.
"""

from __future__ import annotations

from html.parser import HTMLParser

MENTION_CLASSES = {"mention", "hashtag", "u-url"}


class _PlainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._link: tuple[str, bool] | None = None  # (href, is a mention or hashtag)
        self._link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._emit("\n")
        elif tag == "p" and self.parts:
            self._emit("\n\n")
        elif tag == "a":
            found = dict(attrs)
            classes = set((found.get("class") or "").split())
            self._link = (found.get("href") or "", bool(classes & MENTION_CLASSES))
            self._link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag != "a" or self._link is None:
            return
        href, named = self._link
        shown = "".join(self._link_text).strip()
        self._link = None
        if named or not href or shown == href:
            self.parts.append(shown or href)
        elif (
            shown
            and shown.rstrip("…")
            and href.split("://", 1)[-1].startswith(shown.split("://", 1)[-1].rstrip("…"))
        ):
            self.parts.append(href)  # a shortened display of the same link
        else:
            self.parts.append(f"{shown} ({href})" if shown else href)

    def handle_data(self, data: str) -> None:
        self._emit(data)

    def _emit(self, text: str) -> None:
        (self._link_text if self._link is not None else self.parts).append(text)


def plain_text(html: str) -> str:
    parser = _PlainText()
    parser.feed(html or "")
    parser.close()
    return "".join(parser.parts).strip()
