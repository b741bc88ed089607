"""Deliberate actions against people on a social platform: mute, unmute, hide or unhide a reply, and
where the platform still offers them (Mastodon) block a case's author or report them to the moderators.

They run in a worker after a social-team member confirmed them in a dialog; the request, the outcome
and any refusal are audited, and the requester is told how it went.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bridge.domain.errors import PlatformError, Unavailable
from bridge.domain.model import Case
from bridge.domain.ports import BlocksAndReports, SocialPlatform
from bridge.domain.work import Dispatch
from bridge.store.cases import Store

__all__ = ["CASE_ACTIONS", "DEFAULT_PLATFORM", "Moderation"]

DEFAULT_PLATFORM = "x"
#: Actions on a case's author, on the case's platform (the target is the case number).
AUTHOR_ACTIONS = ("mute_author", "unmute_author", "block", "report")
#: Actions on a case; their target is the case number (ASCII digits, as the commands wrote it).
CASE_ACTIONS = ("hide", "unhide", *AUTHOR_ACTIONS)


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
        case = self.store.get(number) if number is not None else None
        platform = case.platform if case is not None else DEFAULT_PLATFORM
        social = self.socials.get(platform)
        label = self._label(action, target, case)
        try:
            if social is None:
                raise PlatformError(f"{platform} is not configured")
            if action == "mute":
                social.mute(target)
            elif action == "unmute":
                social.unmute(target)
            elif action in AUTHOR_ACTIONS and case is not None:
                self._on_author(action, social, case)
            elif action in CASE_ACTIONS and case is not None:
                social.hide_reply(case.post_id, hidden=action == "hide")
            else:
                raise PlatformError(f"unknown action {action!r}")
        except PlatformError as exc:
            unknown = isinstance(exc, Unavailable)
            self._audit(action, target, by, number, outcome="failed", error=str(exc))
            verb = _verb(action)
            if unknown and action == "report":  # not repeated: a second report would reach the moderators
                exc = PlatformError(f"{exc}; check the instance before reporting again")
            self._tell(chat, channel, by, f"Could not {verb} {label}: {exc}")
            if unknown and action != "report":
                raise  # the outcome is unknown: RQ retries; mute, block and (un)hide are idempotent
            return "failed"
        self._audit(action, target, by, number, outcome="done")
        self._tell(chat, channel, by, f"Done: {_verb(action)} {label}.")
        return "done"

    @staticmethod
    def _on_author(action: str, social: SocialPlatform, case: Case) -> None:
        if action == "mute_author":
            social.mute(case.author_handle)
        elif action == "unmute_author":
            social.unmute(case.author_handle)
        elif not isinstance(social, BlocksAndReports):
            raise PlatformError(f"{case.platform} offers no {action} through its API")
        elif action == "block":
            social.block(case.author_handle)
        else:
            social.report(
                case.author_handle, [case.post_id], f"Reported by the brand's social team ({case.ref})."
            )

    @staticmethod
    def _label(action: str, target: str, case: Case | None) -> str:
        if case is not None and action in AUTHOR_ACTIONS:
            return f"@{case.author_handle} (who wrote {case.ref})"
        return f"#{target}" if action in CASE_ACTIONS else f"@{target}"

    def _audit(self, action: str, target: str, by: str, number: int | None, **detail: str) -> None:
        if number is not None:
            self.store.record(number, f"{action}_{detail['outcome']}", by, **detail)
        else:
            self.store.record_global(f"{action}_{detail['outcome']}", by, handle=target, **detail)

    def _tell(self, chat: str, channel: str, user: str, text: str) -> None:
        if chat and channel:
            self.dispatch.tell(chat, channel, user, text)


def _verb(action: str) -> str:
    return action.removesuffix("_author")
