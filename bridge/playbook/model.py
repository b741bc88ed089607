"""The playbook: how a brand describes its social desk, as validated data.

It decides what deserves a reply (``triage``), who answers (``departments`` and their routing rules,
``service_model``), from which account (``accounts``), in which words (``templates``), when
(``hours``) and how fast (``sla``). Every model forbids unknown keys, so a typo in the YAML is an error
with its line, never a silently ignored setting. Defaults live here, with their units in their names.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from bridge.domain.errors import PlaybookError
from bridge.playbook.crisis_rules import CrisisRules
from bridge.playbook.hours import OpeningHours
from bridge.playbook.loader import Loc, load_model, problems_at
from bridge.playbook.meta_account import FacebookAccount
from bridge.playbook.report_rules import ReportRules
from bridge.playbook.retention_rules import RetentionRules
from bridge.playbook.routing_rules import PlatformName, Role, RouteConditions, RouteRule
from bridge.playbook.survey_rules import MeasureRules, SurveyRules
from bridge.playbook.templates import check_template
from bridge.playbook.triage_rules import TriageRules

DEFAULT_FIRST_RESPONSE_MINUTES = {"x": 15, "facebook": 60, "instagram": 60, "mastodon": 60, "bluesky": 60}
FALLBACK_FIRST_RESPONSE_MINUTES = 60
DEFAULT_DRAFT_TEMPLATE = "Hi @{{ author.handle }}, "
DEFAULT_TEMPLATES = {
    "acknowledgement": "Hi @{{ author.handle }}, thanks for letting us know. We're looking into it and "
    "will come back to you here shortly.",
    "apology": "Hi @{{ author.handle }}, we're really sorry about this, it isn't the experience we want "
    "you to have. Let us put it right: ",
    "move_to_dm": "Hi @{{ author.handle }}, we'd like to sort this out with you personally. Please send us "
    "a direct message with your order or account number and we'll take it from there.",
    "out_of_hours": "Hi @{{ author.handle }}, thanks for your message. Our team is away right now and "
    "back {{ hours.next_open }}; we'll reply to you then.",
    "closing": "Thanks @{{ author.handle }}, glad we could help. If there's anything else, just let us know.",
}
ServiceModel = Literal["concierge", "one_stop", "hybrid"]
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class Brand(Strict):
    name: str


class XAccount(Strict):
    """The X account the bridge reads and answers from (the care handle), and the main brand account."""

    user_id: str
    handle: str
    main_handle: str | None = None  # the main brand account, for brand matters and statements
    main_user_id: str | None = None


class MastodonAccount(Strict):
    """The Mastodon account the bridge reads and answers from: ``acct`` as the instance shows it."""

    handle: str
    account_id: str | None = None  # read from the access token when not given


class BlueskyAccount(Strict):
    """The Bluesky account the bridge reads and answers from: its handle (``acme.bsky.social``)."""

    handle: str
    did: str | None = None  # read at login when not given


class AnswerFrom(Strict):
    """Which account answers each kind of matter: the care handle or the main brand account."""

    service: Role = "care"
    brand: Role = "main"


class Accounts(Strict):
    x: XAccount | None = None
    mastodon: MastodonAccount | None = None
    bluesky: BlueskyAccount | None = None
    facebook: FacebookAccount | None = None
    answer_from: AnswerFrom = Field(default_factory=AnswerFrom)

    def handle(self, platform: str, role: Role) -> str:
        """Our handle on ``platform`` for ``role``; '' when that account is not configured."""
        if platform == "mastodon" and self.mastodon is not None:
            return self.mastodon.handle if role == "care" else ""
        if platform == "bluesky" and self.bluesky is not None:
            return self.bluesky.handle if role == "care" else ""
        if platform in ("facebook", "instagram") and self.facebook is not None:
            return self.facebook.handle(platform) if role == "care" else ""
        if platform != "x" or self.x is None:
            return ""
        return (self.x.main_handle or "") if role == "main" else self.x.handle

    def is_ours(self, platform: str, author_id: str, handle: str) -> bool:
        if platform == "mastodon" and self.mastodon is not None:
            ours = self.mastodon
            return author_id == ours.account_id or handle.lstrip("@").casefold() == ours.handle.casefold()
        if platform == "bluesky" and self.bluesky is not None:
            sky = self.bluesky
            return author_id == sky.did or handle.lstrip("@").casefold() == sky.handle.casefold()
        if platform in ("facebook", "instagram") and self.facebook is not None:
            return self.facebook.is_ours(platform, author_id, handle)
        x = self.x
        if platform != "x" or x is None:
            return False
        ids = {x.user_id, x.main_user_id} - {None}
        handles = {h.casefold() for h in (x.handle, x.main_handle) if h}
        return author_id in ids or handle.lstrip("@").casefold() in handles


class SignOff(Strict):
    four_eyes: bool = True


class Sla(Strict):
    """First-response targets per platform, in minutes; counted in opening hours unless told not to."""

    first_response_minutes: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_FIRST_RESPONSE_MINUTES)
    )
    respect_hours: bool = True  # count only minutes when the desk is open (playbook ``hours``)

    @field_validator("first_response_minutes")
    @classmethod
    def _positive(cls, minutes: dict[str, int]) -> dict[str, int]:
        bad = [platform for platform, value in minutes.items() if value <= 0]
        if bad:
            raise ValueError(f"first response minutes must be above 0 (check {', '.join(bad)})")
        return minutes

    def first_response_for(self, platform: str) -> int:
        return self.first_response_minutes.get(
            platform, DEFAULT_FIRST_RESPONSE_MINUTES.get(platform, FALLBACK_FIRST_RESPONSE_MINUTES)
        )


class Department(RouteConditions):
    """A team that answers: its channel, its people, and the rules that bring it mentions."""

    slack_channel: str | None = None
    teams_channel: str | None = None
    experts: list[str] = Field(default_factory=list)
    approvers: list[str] = Field(default_factory=list)
    own_desk: bool = False  # hybrid model: this business line answers its own customers
    rules: list[RouteRule] = Field(default_factory=list)

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

    def routing_rules(self) -> list[RouteConditions]:
        """The department's own keys as its first rule (when they name anything), then ``rules``."""
        return ([self] if self.names_anything() else []) + list(self.rules)


class Templates(Strict):
    """Named answers in Jinja2 (sandboxed). ``draft`` starts every new draft; the rest are picked."""

    draft: str = DEFAULT_DRAFT_TEMPLATE
    acknowledgement: str = DEFAULT_TEMPLATES["acknowledgement"]
    apology: str = DEFAULT_TEMPLATES["apology"]
    move_to_dm: str = DEFAULT_TEMPLATES["move_to_dm"]
    out_of_hours: str = DEFAULT_TEMPLATES["out_of_hours"]
    closing: str = DEFAULT_TEMPLATES["closing"]
    custom: dict[str, str] = Field(default_factory=dict)  # more named templates
    #: wording per platform where it differs (e.g. no @handle on Facebook, a shorter closing on X):
    #: ``platforms: {facebook: {draft: "Hi {{ author.name }}, "}}``; any template above may be named
    platforms: dict[str, dict[str, str]] = Field(default_factory=dict)

    _checked = field_validator(
        "draft", "acknowledgement", "apology", "move_to_dm", "out_of_hours", "closing"
    )(check_template)

    @field_validator("custom")
    @classmethod
    def _custom(cls, templates: dict[str, str]) -> dict[str, str]:
        """Every bad custom template is reported, each at its own key, not just the first."""
        found: list[tuple[Loc, str]] = []
        for name, text in templates.items():
            if not _NAME.match(name) or name in DEFAULT_TEMPLATES or name == "draft":
                found.append(
                    ((name,), f"{name!r} cannot name a custom template (a word, not a built-in name)")
                )
                continue
            try:
                check_template(text)
            except ValueError as exc:
                found.append(((name,), str(exc)))
        if found:
            raise problems_at("Templates", found)
        return templates

    @field_validator("platforms")
    @classmethod
    def _per_platform(
        cls, overrides: dict[str, dict[str, str]], info: ValidationInfo
    ) -> dict[str, dict[str, str]]:
        """A platform's template must replace one that exists, and be a template that renders."""
        known = {"draft", *DEFAULT_TEMPLATES, *(info.data.get("custom") or {})}
        found: list[tuple[Loc, str]] = []
        platforms = get_args(PlatformName)
        for platform, templates in overrides.items():
            if platform not in platforms:
                found.append(
                    ((platform,), f"{platform!r} is not a platform (one of: {', '.join(platforms)})")
                )
                continue
            for name, text in templates.items():
                if name not in known:
                    expected = ", ".join(sorted(known))
                    found.append(
                        ((platform, name), f"no template {name!r} to word differently (one of: {expected})")
                    )
                    continue
                try:
                    check_template(text)
                except ValueError as exc:
                    found.append(((platform, name), str(exc)))
        if found:
            raise problems_at("Templates", found)
        return overrides

    def named(self, platform: str = "") -> dict[str, str]:
        """Every template an expert can pick, in the order the Draft modal lists them, worded for
        ``platform`` where the playbook words it differently there."""
        every = {
            "draft": self.draft,
            **{name: getattr(self, name) for name in DEFAULT_TEMPLATES},
            **self.custom,
        }
        every.update(self.platforms.get(platform, {}))
        return {name: text for name, text in every.items() if name != "draft"}

    def draft_for(self, platform: str) -> str:
        """What a new draft starts with on ``platform``."""
        return self.platforms.get(platform, {}).get("draft", self.draft)


class OutOfHours(Strict):
    """What the bridge does with a mention that arrives while the desk is closed."""

    auto_acknowledge: dict[str, bool] = Field(default_factory=dict)  # platform -> post the template (off)
    template: str = "out_of_hours"

    def enabled_for(self, platform: str) -> bool:
        return self.auto_acknowledge.get(platform, False)


class SetAside(Strict):
    """The digest of what triage set aside (noise and ignored), posted in the social team's channel
    so nothing set aside goes unseen; each case in it has a **Needs an answer** button."""

    digest_every_minutes: int = Field(default=60, ge=1)
    digest_max_cases: int = Field(default=20, ge=1, le=100)  # the rest are counted, not listed


class Playbook(Strict):
    brand: Brand
    accounts: Accounts = Field(default_factory=Accounts)
    default_department: str
    sign_off: SignOff = Field(default_factory=SignOff)
    departments: dict[str, Department]
    service_model: ServiceModel = "concierge"
    author_lists: dict[str, list[str]] = Field(default_factory=dict)  # e.g. vip: [handle, ...]
    triage: TriageRules = Field(default_factory=TriageRules)
    hours: OpeningHours | None = None  # none: open around the clock
    sla: Sla = Field(default_factory=Sla)
    templates: Templates = Field(default_factory=Templates)
    out_of_hours: OutOfHours = Field(default_factory=OutOfHours)
    crisis: CrisisRules | None = None
    retention: RetentionRules | None = None  # none: nothing is removed
    set_aside: SetAside = Field(default_factory=SetAside)
    reports: ReportRules = Field(default_factory=ReportRules)
    surveys: SurveyRules | None = None  # none: no customer is asked anything
    measure: MeasureRules = Field(default_factory=MeasureRules)  # tracked links (off by default)

    @model_validator(mode="after")
    def _cross_section_checks(self) -> Playbook:
        """Checks that join sections: each problem is reported, at the key it is about."""
        found = [
            *self._default_department_problems(),
            *self._reference_problems(),
            *self._sign_off_problems(),
        ]
        if found:
            raise problems_at("Playbook", found)
        self._lend_social_approvers()
        return self

    def _default_department_problems(self) -> list[tuple[Loc, str]]:
        if self.default_department in self.departments:
            return []
        names = ", ".join(sorted(self.departments)) or "none defined"
        return [(("default_department",), f"{self.default_department!r} is not a department ({names})")]

    def _sign_off_problems(self) -> list[tuple[Loc, str]]:
        """Departments whose answers nobody could ever sign off: their cases would stop at a draft.

        A department that names no approvers is signed off by the social team's (see
        :meth:`_lend_social_approvers`), so only a desk where neither names one is a problem.
        """
        found: list[tuple[Loc, str]] = []
        social = self.departments.get(self.default_department)
        if social is None:  # reported as an unknown default_department; nothing more to say here
            return found
        for name, department in self.departments.items():
            approvers = department.approvers or social.approvers
            if not approvers:
                found.append(
                    (
                        ("departments", name, "approvers"),
                        (
                            f"nobody may approve {name}'s answers: name approvers here or for "
                            f"{self.default_department} (the social team signs off for departments without)"
                        ),
                    )
                )
            elif (
                self.sign_off.four_eyes and department.experts and len({*department.experts, *approvers}) == 1
            ):
                found.append(
                    (
                        ("departments", name, "approvers"),
                        (
                            f"{approvers[0]} is the only person who may draft and approve; with "
                            "sign_off.four_eyes nobody else could approve their drafts (add a second person)"
                        ),
                    )
                )
        return found

    def _lend_social_approvers(self) -> None:
        """Departments without approvers of their own are signed off by the social team's approvers:
        in the concierge model the social team answers for every word the brand posts."""
        social = self.departments.get(self.default_department)
        if social is None:
            return
        for department in self.departments.values():
            if not department.approvers:
                department.approvers = list(social.approvers)

    def _reference_problems(self) -> list[tuple[Loc, str]]:
        found: list[tuple[Loc, str]] = []
        known = ", ".join(sorted(self.author_lists)) or "none defined"
        for name, department in self.departments.items():
            for index, rule in enumerate([department, *department.rules]):
                missing = [n for n in rule.list_names() if n not in self.author_lists]
                if missing:
                    where: Loc = ("departments", name, *(("rules", index - 1) if index else ()), "authors")
                    found.append(
                        (
                            where,
                            (
                                f"no author list named {', '.join(missing)} "
                                f"(author_lists: {known}; write @handle for a single author)"
                            ),
                        )
                    )
        desks = [name for name, d in self.departments.items() if d.own_desk]
        if self.service_model == "hybrid" and not desks:
            found.append((("service_model",), "hybrid needs at least one department with own_desk: true"))
        if desks and self.service_model != "hybrid":
            found.extend(
                (
                    ("departments", desk, "own_desk"),
                    f"only applies with service_model: hybrid (this playbook is {self.service_model})",
                )
                for desk in desks
            )
        names = self.templates.named()
        if self.out_of_hours.template not in names:
            found.append(
                (
                    ("out_of_hours", "template"),
                    f"{self.out_of_hours.template!r} is not a template (expected one of: {', '.join(names)})",
                )
            )
        if self.hours is None and any(self.out_of_hours.auto_acknowledge.values()):
            found.append(
                (
                    ("out_of_hours", "auto_acknowledge"),
                    "needs opening hours (an hours: section) to know when the desk is closed",
                )
            )
        return found

    def department(self, name: str) -> Department:
        return self.departments[name]

    def department_named(self, typed: str) -> str | None:
        """The department someone meant by ``typed``: its exact name, else the one name that matches
        ignoring case (people type ``Billing`` for ``billing``); None when there is none or several."""
        if typed in self.departments:
            return typed
        folded = [name for name in self.departments if name.casefold() == typed.strip().casefold()]
        return folded[0] if len(folded) == 1 else None

    def social_team(self) -> Department:
        return self.departments[self.default_department]

    def authors_in(self, name: str) -> frozenset[str]:
        """The handles of an author list (or of a single '@handle'), without '@', case-folded."""
        handles = [name] if name.startswith("@") else self.author_lists.get(name, [])
        return frozenset(h.strip().lstrip("@").casefold() for h in handles)


def playbook_schema() -> dict[str, Any]:
    """A JSON Schema of the playbook generated from these models: editors complete and check with it."""
    schema = Playbook.model_json_schema(mode="validation")
    return {"$schema": JSON_SCHEMA_DIALECT, **schema, "title": "Escalation bridge playbook"}


def load_playbook(path: str | Path) -> Playbook:
    """Load and validate a playbook file; raises :class:`PlaybookError` with file:line: key: problem."""
    return load_model(Path(path), Playbook)


__all__ = ["Department", "Playbook", "PlaybookError", "load_playbook", "playbook_schema"]
