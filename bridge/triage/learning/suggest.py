"""``bridge playbook suggest``: what people's reassignments say the routing rules should know.

For every department that people moved cases into, the words and two-word phrases that most often
appear in those cases and that its rules do not already match, with how many moved cases hold them
and what share of all live cases holding them ended there. Printed as YAML to copy into the
playbook by hand: nothing is written. Read from the cases still in Redis (their text is there until
retention or ``bridge forget`` removes it), and a term is shown only when at least
:data:`MIN_CASES` different cases hold it, so no one customer's words are quoted.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from bridge.playbook.model import Playbook
from bridge.store.cases import Store
from bridge.store.labels import LabelStore
from bridge.text.language import COMMON_WORDS
from bridge.triage.learning.features import words
from bridge.triage.learning.harvest import ERASED, route_decision
from bridge.triage.routing import router_for

MIN_CASES = 3
MIN_SHARE = 0.6  # of the live cases holding a term, the share that ended in the department
MAX_TERMS = 8
_PLACEHOLDERS = frozenset({"@user", "http", "0", "?", "!"})


def terms(text: str) -> set[tuple[str, str]]:
    """("keywords", word) and ("phrases", "two words") a routing rule could name."""
    kept = [w if w not in COMMON_WORDS and w not in _PLACEHOLDERS and len(w) > 2 else "" for w in words(text)]
    found = {("keywords", w) for w in kept if w}
    found.update(("phrases", f"{a} {b}") for a, b in pairwise(kept) if a and b)
    return found


@dataclass
class Moves:
    """Reassignments by people, and how often each term appears where."""

    into: dict[str, Counter[tuple[str, str]]] = field(default_factory=lambda: defaultdict(Counter))
    moved: Counter[str] = field(default_factory=Counter)
    sources: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    ended: dict[tuple[str, str], Counter[str]] = field(default_factory=lambda: defaultdict(Counter))


def gather(store: Store) -> Moves:
    moves = Moves()
    for record in LabelStore(store).cases():
        text = record.fields["text"]
        if text.startswith(ERASED):
            continue
        found = terms(text)
        for term in found:
            moves.ended[term][record.fields["department"]] += 1
        route = route_decision(record.audit)
        if route is not None:
            moves.moved[route[1]] += 1
            moves.sources[route[1]][route[0]] += 1
            moves.into[route[1]].update(found)
    return moves


def _already(playbook: Playbook, department: str, term: str) -> tuple[bool, str]:
    """Whether ``department``'s rules match the term already; else which department's rule does."""
    found = router_for(playbook).match(term)
    if found is None:
        return False, ""
    return found[0].department == department, found[0].department


def suggest(playbook: Playbook, store: Store) -> str:
    moves = gather(store)
    if not moves.moved:
        return "# No reassignments by people among the cases in Redis: nothing to suggest."
    lines = [
        "# Suggested routing additions, from cases people moved to another department.",
        "# Nothing is written: copy what fits into the playbook's departments yourself.",
        "departments:",
    ]
    for department in sorted(moves.moved):
        sources = ", ".join(f"{n} from {name or '-'}" for name, n in moves.sources[department].most_common())
        lines.append(f"  {department}:  # {moves.moved[department]} cases moved in by people ({sources})")
        by_kind: dict[str, list[str]] = defaultdict(list)
        for (kind, term), count in moves.into[department].most_common():
            if count < MIN_CASES or len(by_kind[kind]) >= MAX_TERMS:
                continue
            total = sum(moves.ended[(kind, term)].values())
            share = moves.ended[(kind, term)][department] / total if total else 0.0
            matched, elsewhere = _already(playbook, department, term)
            if matched or share < MIN_SHARE:
                continue
            note = f" now routes to {elsewhere};" if elsewhere else ""
            by_kind[kind].append(
                f"      - {json.dumps(term)}  #{note} in {count} moved cases; {share:.0%} of the "
                f"{total} cases holding it ended in {department}"
            )
        if not by_kind:
            lines.append(f"    # no term appears in {MIN_CASES} or more of these cases that the rules miss")
        for kind in ("keywords", "phrases"):
            if by_kind[kind]:
                lines.extend([f"    {kind}:", *by_kind[kind]])
    return "\n".join(lines)


__all__ = ["suggest", "terms"]
