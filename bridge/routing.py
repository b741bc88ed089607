"""Which department answers a mention, and why.

Rules are checked in playbook order; the first department whose rule matches wins, else the
playbook's ``default_department``. Every decision carries the reason people see on the card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bridge.playbook import Playbook


@dataclass(frozen=True)
class RoutingDecision:
    department: str
    reasons: tuple[str, ...]


@lru_cache(maxsize=4096)
def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(keyword.casefold())}(?!\w)")


def route(playbook: Playbook, text: str) -> RoutingDecision:
    folded = text.casefold()
    for name, department in playbook.departments.items():
        for keyword in department.keywords:
            if _keyword_pattern(keyword).search(folded):
                return RoutingDecision(name, (f"routed to {name}: keyword '{keyword}'",))
    default = playbook.default_department
    return RoutingDecision(default, (f"routed to {default}: no department rule matched (default)",))
