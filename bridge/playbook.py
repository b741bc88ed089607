"""The playbook: how a brand describes its social desk, as validated data.

Every model forbids unknown keys, so a typo in the YAML is an error with its line, never a silently
ignored setting. Defaults live here, with their units in their names.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bridge.playbook_loader import PlaybookError, load_model

DEFAULT_FIRST_RESPONSE_MINUTES = {"x": 15, "facebook": 60, "instagram": 60, "mastodon": 60, "bluesky": 60}
DEFAULT_DRAFT_TEMPLATE = "Hi @{{ author.handle }}, "


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class Brand(Strict):
    name: str


class XAccount(Strict):
    user_id: str
    handle: str


class Accounts(Strict):
    x: XAccount | None = None


class SignOff(Strict):
    four_eyes: bool = True


class Sla(Strict):
    first_response_minutes: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_FIRST_RESPONSE_MINUTES)
    )

    def first_response_for(self, platform: str) -> int:
        return self.first_response_minutes.get(platform, DEFAULT_FIRST_RESPONSE_MINUTES.get(platform, 60))


class Department(Strict):
    slack_channel: str | None = None
    teams_channel: str | None = None
    experts: list[str] = Field(default_factory=list)
    approvers: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _needs_a_channel(self) -> Department:
        if not (self.slack_channel or self.teams_channel):
            raise ValueError("a department needs a slack_channel or a teams_channel")
        return self

    def may_claim(self, user: str) -> bool:
        """Experts and approvers of the department may claim; an open list (no experts) lets anyone."""
        return not self.experts or user in self.experts or user in self.approvers

    def may_approve(self, user: str) -> bool:
        return user in self.approvers


class Templates(Strict):
    draft: str = DEFAULT_DRAFT_TEMPLATE


class Playbook(Strict):
    brand: Brand
    accounts: Accounts = Field(default_factory=Accounts)
    default_department: str
    sign_off: SignOff = Field(default_factory=SignOff)
    departments: dict[str, Department]
    sla: Sla = Field(default_factory=Sla)
    templates: Templates = Field(default_factory=Templates)

    @model_validator(mode="after")
    def _default_department_exists(self) -> Playbook:
        if self.default_department not in self.departments:
            names = ", ".join(sorted(self.departments)) or "none defined"
            raise ValueError(f"default_department {self.default_department!r} is not a department ({names})")
        return self

    def department(self, name: str) -> Department:
        return self.departments[name]

    def social_team(self) -> Department:
        return self.departments[self.default_department]


def load_playbook(path: str | Path) -> Playbook:
    """Load and validate a playbook file; raises :class:`PlaybookError` with file:line: key: problem."""
    return load_model(Path(path), Playbook)


__all__ = ["Department", "Playbook", "PlaybookError", "load_playbook"]
