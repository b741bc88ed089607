"""Mastodon's configuration: the two settings, and the account the playbook names."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bridge.app.settings import Settings
from bridge.playbook.model import Accounts


def test_mastodon_is_configured_by_its_instance_and_access_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTODON_BASE_URL", "https://mastodon.example")
    assert not Settings().mastodon_configured  # an instance without a token cannot read anything
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "token")
    assert Settings().mastodon_configured


def test_the_playbooks_mastodon_account_is_ours_by_id_or_handle() -> None:
    accounts = Accounts.model_validate({"mastodon": {"handle": "AcmeHelp", "account_id": 109000000000000001}})
    assert accounts.handle("mastodon", "care") == "AcmeHelp"
    assert accounts.handle("mastodon", "main") == ""  # no main account on Mastodon: the care account posts
    assert accounts.is_ours("mastodon", "109000000000000001", "someone")
    assert accounts.is_ours("mastodon", "1", "@acmehelp")
    assert not accounts.is_ours("mastodon", "1", "maria@remote.social")
    assert not accounts.is_ours("x", "109000000000000001", "AcmeHelp")  # X has its own account


def test_a_mastodon_account_needs_its_handle() -> None:
    with pytest.raises(ValidationError, match="handle"):
        Accounts.model_validate({"mastodon": {"account_id": "1"}})
