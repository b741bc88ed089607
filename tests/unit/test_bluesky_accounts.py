"""``accounts.bluesky`` in the playbook and the ``BLUESKY_*`` settings: which account is ours, and when
the bridge connects to Bluesky at all."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bridge.app.settings import Settings
from bridge.playbook.model import Accounts


def test_the_bluesky_account_is_ours_by_did_or_handle() -> None:
    accounts = Accounts.model_validate({"bluesky": {"handle": "acmehelp.bsky.social", "did": "did:plc:acme"}})
    assert accounts.handle("bluesky", "care") == "acmehelp.bsky.social"
    assert accounts.handle("bluesky", "main") == ""  # no main brand account on Bluesky
    assert accounts.is_ours("bluesky", "did:plc:acme", "someone.else")
    assert accounts.is_ours("bluesky", "did:plc:other", "@AcmeHelp.bsky.social")
    assert not accounts.is_ours("bluesky", "did:plc:maria", "maria.bsky.social")
    assert not accounts.is_ours("x", "did:plc:acme", "acmehelp.bsky.social")


def test_an_unknown_key_under_accounts_bluesky_is_refused() -> None:
    with pytest.raises(ValidationError):
        Accounts.model_validate({"bluesky": {"handle": "acme.bsky.social", "password": "hunter2"}})


def test_bluesky_is_connected_only_with_a_handle_and_an_app_password() -> None:
    assert not Settings(bluesky_handle="acme.bsky.social").bluesky_configured
    on = Settings(bluesky_handle="acme.bsky.social", bluesky_app_password="abcd-efgh-ijkl-mnop")
    assert on.bluesky_configured and on.bluesky_service_url == "https://bsky.social"
