"""Which department answers a mention, and why.

Every department's rules (see :mod:`bridge.playbook.routing_rules`) are tried by priority, higher
first, ties in playbook order; the first rule whose every condition holds wins, else the playbook's
``default_department``. The service model then decides who actually answers: in the *concierge* model
(the default) the matched department does; in the *one-stop* model the social team answers everything;
in the *hybrid* model departments with ``own_desk: true`` answer their own customers and the rest falls
to the social team. Every decision carries the reasons people see on the card.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bridge.domain.platforms import PLATFORM_NAMES
from bridge.playbook.model import Playbook
from bridge.playbook.patterns import Matcher
from bridge.playbook.routing_rules import DEFAULT_EXAMPLE_SHARE, MIN_EXAMPLE_WORDS, RouteConditions, RouteRule
from bridge.text.language import COMMON_WORDS

MAX_ROUTED_CHARS = 10_000  # rules look at the start of a very long post, like triage does
MAX_SNIPPET_CHARS = 40
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|\d+")
_SUFFIXES = ("ing", "ed", "es", "s")
_KIND_LABELS = {"keywords": "keyword", "phrases": "phrase", "hashtags": "hashtag", "regex": "pattern"}


@dataclass(frozen=True)
class RoutingDecision:
    department: str  # who answers
    reasons: tuple[str, ...]
    matched: str = ""  # the department whose rule matched ('' when none did)
    rule: str = ""  # the rule that matched, as reasons name it


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def topic_words(text: str) -> frozenset[str]:
    """The words that carry a topic: common words dropped, simple endings trimmed, case folded."""
    return frozenset(_stem(w) for w in _WORD.findall(text.casefold()) if w not in COMMON_WORDS and len(w) > 1)


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_SNIPPET_CHARS else text[: MAX_SNIPPET_CHARS - 1] + "…"


@dataclass(frozen=True)
class _Entry:
    index: int
    department: str
    label: str  # how reasons name the rule
    named: bool  # the author named it (shown in reasons)
    priority: int  # the rule's own, else its department's
    rule: RouteConditions
    examples: tuple[tuple[str, frozenset[str]], ...]
    authors: frozenset[str]
    text_keys: tuple[tuple[str, str], ...] = ()  # (the matcher's key, the text kind), in rule order
    names_text: bool = False  # the rule asks for words, phrases, a pattern or an example

    def cannot_match(self, hits: dict[str, str]) -> bool:
        """The rule asks for text of its own and the scan found none (its examples aside): ruled out
        with a few dictionary look-ups, before any other condition is read (a playbook may have
        hundreds of departments, and most of them miss)."""
        return self.names_text and not self.examples and not any(key in hits for key, _ in self.text_keys)


class Router:
    """A playbook's routing rules, compiled once: one text scan finds every rule's words."""

    def __init__(self, playbook: Playbook) -> None:
        self.playbook = playbook
        entries: list[_Entry] = []
        for name, department in playbook.departments.items():
            for position, rule in enumerate(department.routing_rules()):
                own = rule is department
                label = rule.name if isinstance(rule, RouteRule) and rule.name else name
                if not own and label == name:
                    label = f"{name}.rules[{position - 1 if department.names_anything() else position}]"
                authors = frozenset().union(*(playbook.authors_in(a) for a in rule.authors))
                examples = tuple((e, topic_words(e)) for e in rule.examples)
                named = isinstance(rule, RouteRule) and bool(rule.name)
                own_priority = own or "priority" in rule.model_fields_set
                priority = rule.priority if own_priority else department.priority
                index = len(entries)
                keys = tuple((f"{index}:{kind}", kind) for kind, _pattern in rule.text_patterns)
                entries.append(
                    _Entry(
                        index, name, label, named, priority, rule, examples, authors, keys, rule.names_text()
                    )
                )
        entries.sort(key=lambda e: (-e.priority, e.index))
        self.entries = tuple(entries)
        self._needs_words = any(e.examples for e in entries)
        self._matcher = Matcher(
            (f"{e.index}:{kind}", pattern) for e in entries for kind, pattern in e.rule.text_patterns
        )

    def _text_hit(self, entry: _Entry, hits: dict[str, str], words: frozenset[str]) -> str | None:
        for key, kind in entry.text_keys:
            found = hits.get(key)
            if found is not None:
                return f"{_KIND_LABELS[kind]} '{_snippet(found)}'"
        for example, wanted in entry.examples:
            shared = len(wanted & words)
            enough = wanted and shared >= min(MIN_EXAMPLE_WORDS, len(wanted))
            if enough and shared / len(wanted) >= DEFAULT_EXAMPLE_SHARE:
                return f"like the example '{_snippet(example)}' ({shared} of {len(wanted)} words)"
        return None

    def _why(
        self,
        entry: _Entry,
        hits: dict[str, str],
        words: frozenset[str],
        language: str | None,
        accounts: Iterable[str],
        author: str,
        kind: str | None,
        platform: str,
    ) -> list[str] | None:
        """Why ``entry`` matches, one phrase per kind of condition; None when a condition fails."""
        rule, parts = entry.rule, []
        if entry.names_text:
            found = self._text_hit(entry, hits, words)
            if found is None:
                return None
            parts.append(found)
        if rule.languages:
            if language not in rule.languages:
                return None
            parts.append(f"language {language}")
        if rule.accounts:
            mentioned = [a for a in rule.accounts if a in accounts]
            if not mentioned:
                return None
            parts.append(f"mentions the {'main brand account' if 'main' in mentioned else 'care handle'}")
        if rule.authors:
            if author.lstrip("@").casefold() not in entry.authors:
                return None
            parts.append(f"author @{author.lstrip('@')} is listed ({', '.join(rule.authors)})")
        if rule.kinds:
            if kind not in rule.kinds:
                return None
            parts.append("a brand matter" if kind == "brand" else "a service issue")
        if rule.platforms:
            if platform not in rule.platforms:
                return None
            parts.append(f"posted on {PLATFORM_NAMES.get(platform, platform)}")
        return parts

    def match(
        self,
        text: str,
        *,
        language: str | None = None,
        accounts: Iterable[str] = (),
        author: str = "",
        kind: str | None = None,
        platform: str = "",
    ) -> tuple[_Entry, str] | None:
        """The first rule (by priority) whose every condition holds, and why, in words."""
        text = text[:MAX_ROUTED_CHARS]
        hits = self._matcher.scan(text)
        words = topic_words(text) if self._needs_words else frozenset()
        roles = frozenset(accounts)
        for entry in self.entries:
            if entry.cannot_match(hits):
                continue
            parts = self._why(entry, hits, words, language, roles, author, kind, platform)
            if parts is None:
                continue
            why = " and ".join(parts)
            if entry.named:
                why += f" (rule {entry.label})"
            if entry.priority:
                why += f", priority {entry.priority}"
            return entry, why
        return None


_routers: dict[int, tuple[Playbook, Router]] = {}
MAX_CACHED_ROUTERS = 16


def router_for(playbook: Playbook) -> Router:
    """The compiled router of this playbook object (a reloaded playbook gets a new one)."""
    cached = _routers.get(id(playbook))
    if cached is not None and cached[0] is playbook:
        return cached[1]
    router = Router(playbook)
    if len(_routers) >= MAX_CACHED_ROUTERS:
        _routers.clear()
    _routers[id(playbook)] = (playbook, router)
    return router


def _serve(playbook: Playbook, matched: str, why: str) -> RoutingDecision:
    """Apply the service model: who answers what the rule matched."""
    default = playbook.default_department
    model = playbook.service_model
    if matched == default or model == "concierge":
        return RoutingDecision(matched, (f"routed to {matched}: {why}",), matched)
    if model == "hybrid" and playbook.departments[matched].own_desk:
        why += f" ({matched} has its own desk)"
        return RoutingDecision(matched, (f"routed to {matched}: {why}",), matched)
    if model == "hybrid":
        serve = f"hybrid: {matched} has no desk of its own, so {default} answers"
    else:
        serve = f"one-stop: {default} answers everything"
    return RoutingDecision(default, (f"topic {matched}: {why}", serve), matched)


def route(
    playbook: Playbook,
    text: str,
    *,
    language: str | None = None,
    accounts: Iterable[str] = (),
    author: str = "",
    kind: str | None = None,
    platform: str = "",
) -> RoutingDecision:
    """Who answers ``text``; ``accounts`` names which of ours were mentioned ('care', 'main') and
    ``platform`` where it was posted ('x', 'mastodon', 'bluesky')."""
    found = router_for(playbook).match(
        text, language=language, accounts=accounts, author=author, kind=kind, platform=platform
    )
    if found is None:
        default = playbook.default_department
        return RoutingDecision(default, (f"routed to {default}: no department rule matched (default)",))
    entry, why = found
    decision = _serve(playbook, entry.department, why)
    return RoutingDecision(decision.department, decision.reasons, decision.matched, entry.label)


__all__ = ["Router", "RoutingDecision", "route", "router_for", "topic_words"]
