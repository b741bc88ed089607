"""The Facebook and Instagram platforms for a deployment, built from settings and ``accounts.facebook``."""

from __future__ import annotations

from adapters.meta.graph import DEFAULT_GRAPH_URL, GraphClient
from adapters.meta.platform import FacebookPlatform, InstagramPlatform, MetaPlatform
from bridge.app.settings import Settings
from bridge.domain.errors import ConfigurationError
from bridge.playbook.meta_account import FacebookAccount

__all__ = ["meta_platforms"]


def meta_platforms(settings: Settings, named: FacebookAccount | None) -> dict[str, MetaPlatform]:
    """The playbook's ``accounts.facebook``, else ``META_PAGE_ID`` (and ``META_INSTAGRAM_ACCOUNT_ID``)."""
    account = named
    if account is None and settings.meta_page_id:
        account = FacebookAccount(
            page_id=settings.meta_page_id, instagram_account_id=settings.meta_instagram_account_id
        )
    if account is None:
        raise ConfigurationError(
            "META_PAGE_ACCESS_TOKEN is set: name the Page in accounts.facebook.page_id (or META_PAGE_ID)."
        )
    graph = GraphClient(settings.meta_graph_url or DEFAULT_GRAPH_URL, settings.meta_page_access_token or "")
    human_agent = settings.meta_human_agent
    found: dict[str, MetaPlatform] = {
        "facebook": FacebookPlatform(
            graph, account.page_id, account.page_id, account.handle("facebook"), human_agent=human_agent
        )
    }
    if account.instagram_account_id:
        found["instagram"] = InstagramPlatform(
            graph,
            account.page_id,
            account.instagram_account_id,
            account.handle("instagram"),
            human_agent=human_agent,
        )
    return found
