"""``accounts.facebook`` in the playbook and the ``META_*`` settings: which Page and Instagram account
are ours, and when the bridge connects to Meta at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from adapters.meta.graph import GRAPH_API_VERSION
from adapters.meta.platform import FacebookPlatform, InstagramPlatform
from adapters.meta.wiring import meta_platforms
from bridge.app.settings import Settings
from bridge.domain.errors import ConfigurationError
from bridge.playbook.loader import load_model
from bridge.playbook.model import Accounts, Playbook, Sla
from bridge.triage.routing import route

PAGE = {"page_id": "104000000000001", "page_name": "Acme Help", "instagram_account_id": "17841400000000001"}


def test_the_page_and_its_instagram_account_are_ours() -> None:
    accounts = Accounts.model_validate({"facebook": {**PAGE, "instagram_username": "acmehelp"}})
    assert accounts.handle("facebook", "care") == "Acme Help"
    assert accounts.handle("instagram", "care") == "acmehelp"
    assert accounts.handle("facebook", "main") == ""
    assert accounts.is_ours("facebook", "104000000000001", "")
    assert accounts.is_ours("instagram", "17841400000000001", "")
    assert accounts.is_ours("instagram", "", "@AcmeHelp")
    assert not accounts.is_ours("facebook", "5550001", "Acme Help")  # a person may carry the Page's name
    assert not accounts.is_ours("x", "104000000000001", "")


def test_an_unknown_key_under_accounts_facebook_is_refused() -> None:
    with pytest.raises(ValidationError):
        Accounts.model_validate({"facebook": {**PAGE, "access_token": "EAAB..."}})


def test_facebook_and_instagram_are_answered_within_an_hour_by_default() -> None:
    assert Sla().first_response_for("facebook") == 60 and Sla().first_response_for("instagram") == 60


def test_meta_is_connected_with_a_page_token_and_the_app_secret() -> None:
    assert not Settings(meta_page_access_token="EAAB").meta_configured
    on = Settings(meta_page_access_token="EAAB", meta_app_secret="s3cret")
    assert on.meta_configured and on.meta_graph_url == "https://graph.facebook.com"
    assert "facebook" in on.socials_configured


def test_the_platforms_follow_the_playbook_or_the_settings() -> None:
    settings = Settings(meta_page_access_token="EAAB", meta_app_secret="s3cret")
    with pytest.raises(ConfigurationError, match=r"accounts\.facebook\.page_id"):
        meta_platforms(settings, None)
    named = Accounts.model_validate({"facebook": PAGE}).facebook
    built = meta_platforms(settings, named)
    assert isinstance(built["facebook"], FacebookPlatform) and isinstance(
        built["instagram"], InstagramPlatform
    )
    assert built["facebook"].graph.root == f"https://graph.facebook.com/{GRAPH_API_VERSION}"
    only_page = meta_platforms(settings.model_copy(update={"meta_page_id": "1"}), None)
    assert list(only_page) == ["facebook"] and only_page["facebook"].page_id == "1"


def test_a_rule_can_send_facebook_and_instagram_to_their_own_department() -> None:
    book = load_model(
        Path("desk.yml"),
        Playbook,
        text="""brand: {name: Acme}
default_department: social
departments:
  social: {slack_channel: C0SOCIAL, approvers: [U1]}
  meta_desk: {slack_channel: C0META, platforms: [facebook, instagram]}
""",
    )
    assert route(book, "my parcel is late", platform="instagram").reasons == (
        "routed to meta_desk: posted on Instagram",
    )
    assert route(book, "my parcel is late", platform="facebook").department == "meta_desk"
    assert route(book, "my parcel is late", platform="x").department == "social"
