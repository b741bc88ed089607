"""The playbook's ``retention:`` section: how long closed cases and the audit stay in Redis.

Without the section nothing is removed (the behaviour before retention existed: deleting data must be
asked for). With it, a closed case (posted, resolved or ignored) is removed ``closed_case_days`` after
it closed, leaving anonymous daily counts behind (the case history, where reports read, keeps it
``history_days``, two years by default); the bridge's audit stream is kept as it is, trimmed
by age, or exported to JSON lines and then trimmed. Defaults are named constants with their units.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bridge.playbook.loader import Loc, problems_at

__all__ = [
    "DEFAULT_CLOSED_CASE_DAYS",
    "DEFAULT_COMPACT_AFTER_DAYS",
    "DEFAULT_EXPORT_DIR",
    "DEFAULT_HISTORY_DAYS",
    "AuditPolicy",
    "RetentionRules",
]

DEFAULT_CLOSED_CASE_DAYS = 90
DEFAULT_COMPACT_AFTER_DAYS = 7  # a closed case quiet this long keeps only its post keys in Redis
DEFAULT_HISTORY_DAYS = 730  # the case history (reports, search) keeps closed cases two years
DEFAULT_EXPORT_DIR = "exports"  # under BRIDGE_DATA_DIR unless absolute

AuditPolicy = Literal["keep", "drop", "export"]


class RetentionRules(BaseModel):
    """``audit``: ``keep`` leaves the audit stream alone (capped at its 100,000 newest entries as
    before); ``drop`` trims entries older than ``audit_days``; ``export`` first writes every case
    that goes, with its timeline, and every audit entry that goes as JSON lines under ``export_dir``."""

    model_config = ConfigDict(extra="forbid")

    closed_case_days: int = Field(default=DEFAULT_CLOSED_CASE_DAYS, ge=1)
    audit: AuditPolicy = "keep"
    audit_days: int | None = Field(default=None, ge=1)  # unset: the same as closed_case_days
    export_dir: str | None = None  # unset: DEFAULT_EXPORT_DIR
    #: the case history (SQL) keeps a closed case this long after it closed; never shorter than Redis
    history_days: int | None = Field(default=None, ge=1)  # unset: DEFAULT_HISTORY_DAYS
    #: a closed case the history holds, quiet this many days, leaves Redis but for its post keys and a
    #: stub (:mod:`bridge.store.compaction`); null: it stays whole until ``closed_case_days``
    compact_after_days: int | None = Field(default=DEFAULT_COMPACT_AFTER_DAYS, ge=1)

    @model_validator(mode="after")
    def _options_fit_the_policy(self) -> RetentionRules:
        found: list[tuple[Loc, str]] = []
        if self.audit == "keep" and self.audit_days is not None:
            found.append(
                (
                    ("audit_days",),
                    "applies to audit: drop or export (audit: keep leaves the audit stream as it is)",
                )
            )
        if self.audit != "export" and self.export_dir is not None:
            found.append((("export_dir",), f"applies to audit: export (this policy is audit: {self.audit})"))
        if found:
            raise problems_at("RetentionRules", found)
        return self

    @property
    def audit_kept_days(self) -> int:
        return self.audit_days or self.closed_case_days

    @property
    def history_kept_days(self) -> int:
        return max(self.history_days or DEFAULT_HISTORY_DAYS, self.closed_case_days)

    @property
    def export_folder(self) -> str:
        return self.export_dir or DEFAULT_EXPORT_DIR
