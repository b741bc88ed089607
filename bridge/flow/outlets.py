"""Which of the brand's accounts speaks: the care handle, or the main brand account.

Social care practice answers service issues from the care handle and brand matters (and the one
public statement in a crisis) from the main account. The bridge reads mentions with the care
handle's credentials; the main account posts only when its own credentials are configured. Without
them the care handle answers instead, and the result says so, so nobody believes a post came from
an account it did not come from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bridge.domain.ports import SocialPlatform

__all__ = ["Outlet", "Outlets", "same_handle"]


@dataclass(frozen=True)
class Outlet:
    """The account that will post, and why it is not the one asked for when they differ."""

    social: SocialPlatform
    handle: str
    substitute_for: str = ""  # the handle that was wanted but has no credentials here

    @property
    def note(self) -> str:
        if not self.substitute_for:
            return ""
        return (
            f"posted from @{self.handle} because @{self.substitute_for} has no credentials here "
            "(set X_MAIN_ACCESS_TOKEN and X_MAIN_ACCESS_TOKEN_SECRET)"
        )


def same_handle(a: str, b: str) -> bool:
    return bool(a) and a.lstrip("@").casefold() == b.lstrip("@").casefold()


class Outlets:
    """Resolves a wanted handle to a configured account, per platform.

    Holds the runtime's live dictionaries, so platforms added after construction are seen.
    """

    def __init__(self, care: Mapping[str, SocialPlatform], main: Mapping[str, SocialPlatform]) -> None:
        self.care = care
        self.main = main

    def speaking_as(self, platform: str, wanted_handle: str) -> Outlet:
        """The account to post from for ``wanted_handle`` ('' means the care handle).

        Raises KeyError when the platform itself is not configured, as a missing platform is a
        deployment error rather than something to work around.
        """
        care = self.care[platform]
        main = self.main.get(platform)
        if main is not None and same_handle(wanted_handle, main.handle):
            return Outlet(main, main.handle)
        if not wanted_handle or same_handle(wanted_handle, care.handle):
            return Outlet(care, care.handle)
        return Outlet(care, care.handle, substitute_for=wanted_handle.lstrip("@"))
