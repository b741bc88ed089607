"""``accounts.facebook``: the Facebook Page and the Instagram professional account linked to it.

Both are reached through one Meta app and one Page token, so the playbook names them together.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["FacebookAccount"]


class FacebookAccount(BaseModel):
    """The Page the bridge reads and answers from, and the Instagram account linked to it (comments,
    mentions and messages there come through the same webhook)."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    page_id: str
    page_name: str = ""  # what answers are said to come from; the id when not given
    instagram_account_id: str | None = None  # the Instagram business account id; None: no Instagram
    instagram_username: str | None = None

    def handle(self, platform: str) -> str:
        """Our name on ``platform``: the Page's name, or the Instagram username."""
        if platform == "instagram":
            return self.instagram_username or self.instagram_account_id or ""
        return self.page_name or self.page_id

    def is_ours(self, platform: str, author_id: str, handle: str) -> bool:
        if author_id and author_id in {self.page_id, self.instagram_account_id}:
            return True
        ours = self.handle(platform)
        return platform == "instagram" and bool(ours) and handle.lstrip("@").casefold() == ours.casefold()
