"""Deliberate actions against people on a social platform: mute, unmute, hide or unhide a reply.

They run in a worker after a social-team member confirmed them in a dialog; the request, the outcome
and any refusal are audited, and the requester is told how it went.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bridge.domain.errors import PlatformError, Unavailable
from bridge.domain.ports import SocialPlatform
from bridge.domain.work import Dispatch
from bridge.store.cases import Store

__all__ = ["CASE_ACTIONS", "DEFAULT_PLATFORM", "Moderation"]

DEFAULT_PLATFORM = "x"
#: Actions on a case's post; their target is the case number (ASCII digits, as the commands wrote it).
CASE_ACTIONS = ("hide", "unhide")


class Moderation:
    def __init__(self, store: Store, socials: Mapping[str, SocialPlatform], dispatch: Dispatch) -> None:
        self.store = store
        self.socials = socials
        self.dispatch = dispatch

    def run(self, action: str, target: str, by: str, chat: str = "", channel: str = "") -> str:
        number: int | None = None
        if action in CASE_ACTIONS:
            if not re.fullmatch(r"[0-9]{1,18}", target):
                self.store.record_global(f"{action}_failed", by, target=target, error="not a case number")
                self._tell(chat, channel, by, f"Could not {action} {target!r}: it is not a case number.")
                return "failed"
            number = int(target)
        platform = self.store.get(number).platform if number is not None else DEFAULT_PLATFORM
        social = self.socials.get(platform)
        try:
            if social is None:
                raise PlatformError(f"{platform} is not configured")
            if action == "mute":
                social.mute(target)
            elif action == "unmute":
                social.unmute(target)
            elif action in CASE_ACTIONS and number is not None:
                social.hide_reply(self.store.get(number).post_id, hidden=action == "hide")
            else:
                raise PlatformError(f"unknown action {action!r}")
        except PlatformError as exc:
            self._audit(action, target, by, number, outcome="failed", error=str(exc))
            self._tell(chat, channel, by, f"Could not {action} {self._label(action, target)}: {exc}")
            if isinstance(exc, Unavailable):
                raise  # the outcome is unknown: RQ retries; mute and (un)hide are idempotent on X
            return "failed"
        self._audit(action, target, by, number, outcome="done")
        self._tell(chat, channel, by, f"Done: {action} {self._label(action, target)}.")
        return "done"

    @staticmethod
    def _label(action: str, target: str) -> str:
        return f"#{target}" if action in CASE_ACTIONS else f"@{target}"

    def _audit(self, action: str, target: str, by: str, number: int | None, **detail: str) -> None:
        if number is not None:
            self.store.record(number, f"{action}_{detail['outcome']}", by, **detail)
        else:
            self.store.record_global(f"{action}_{detail['outcome']}", by, handle=target, **detail)

    def _tell(self, chat: str, channel: str, user: str, text: str) -> None:
        if chat and channel:
            self.dispatch.tell(chat, channel, user, text)
