"""Environment → typed settings. Names are the contract in DESIGN.md; defaults live here."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_PLAYBOOK", "DEFAULT_POLL_SECONDS", "DEFAULT_PORT", "Settings", "sample_playbooks"]


def sample_playbooks() -> Path:
    """The folder of sample playbooks: shipped in the package as ``bridge/_playbooks`` (a wheel,
    ``pip install .``), or the repository's ``playbooks/`` beside the code (a checkout, an editable
    install, where setuptools maps no data folder)."""
    shipped = Path(str(files("bridge"))) / "_playbooks"
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[2] / "playbooks"


DEFAULT_PLAYBOOK = sample_playbooks() / "acme.yml"
DEFAULT_PORT = 3000
DEFAULT_POLL_SECONDS = 60


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    redis_url: str | None = None
    bridge_data_dir: Path = Path("var")
    bridge_playbook: Path = DEFAULT_PLAYBOOK
    bridge_port: int = DEFAULT_PORT
    bridge_poll_seconds: int = DEFAULT_POLL_SECONDS
    bridge_queue: str = "bridge"
    bridge_key_prefix: str = "bridge:"
    bridge_channel_interval_ms: int = 1000  # at most one message per channel per interval
    #: the case history: PostgreSQL (postgresql://…, read with psycopg 3); unset: SQLite under bridge_data_dir
    database_url: str | None = None
    #: where people reach this bridge from outside (https://bridge.example.com): report charts' links
    # (also: tracked links, playbook measure.tracked_links, become <BRIDGE_PUBLIC_URL>/r/<token>)
    bridge_public_url: str | None = None
    bridge_conversions_secret: str | None = None  # signs POST /api/conversions (HMAC-SHA256)

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"

    x_bearer_token: str | None = None
    x_consumer_key: str | None = None
    x_consumer_secret: str | None = None
    x_access_token: str | None = None
    x_access_token_secret: str | None = None
    x_user_id: str | None = None
    # the main brand account beside the care handle: same X app, its own user tokens
    x_main_access_token: str | None = None
    x_main_access_token_secret: str | None = None
    x_main_user_id: str | None = None
    x_api_url: str = "https://api.twitter.com"

    mastodon_base_url: str | None = None  # the instance, e.g. https://mastodon.social
    mastodon_access_token: str | None = None

    bluesky_handle: str | None = None  # e.g. acmehelp.bsky.social
    # an app password (Settings → Privacy and security → App passwords), never the account's own
    bluesky_app_password: str | None = None
    bluesky_service_url: str = "https://bsky.social"  # the account's PDS, or the public entryway

    # Facebook Page and its linked Instagram professional account, through Meta's webhook and Graph API
    meta_app_secret: str | None = None  # signs webhook deliveries (X-Hub-Signature-256)
    meta_verify_token: str | None = None  # the token typed into the app dashboard's webhook settings
    meta_page_access_token: str | None = None  # a Page token: comments, messages, moderation
    meta_graph_url: str = "https://graph.facebook.com"
    meta_page_id: str | None = None  # when the playbook's accounts.facebook does not name the Page
    meta_instagram_account_id: str | None = None
    meta_human_agent: bool = False  # the Page may send HUMAN_AGENT-tagged answers (up to 7 days)

    teams_app_id: str | None = None
    teams_app_password: str | None = None
    teams_tenant_id: str | None = None
    teams_local: bool = False  # TEAMS_LOCAL=1: Teams without authentication, for development and demos
    teams_conversation_interval_ms: int = 2000  # Teams allows 1,800 operations an hour per conversation

    # the dashboard (/dashboard): who may sign in, and how
    bridge_dashboard_token: str | None = None  # for scripts and headless use: Authorization: Bearer <token>
    bridge_dashboard_secret: str | None = None  # signs sessions; unset: a random one kept in Redis
    slack_client_id: str | None = None  # "Sign in with Slack": the Slack app's client id and secret
    slack_client_secret: str | None = None
    entra_authority_url: str = "https://login.microsoftonline.com"  # Microsoft sign-in for Teams desks

    @property
    def slack_configured(self) -> bool:
        return bool(self.slack_bot_token)

    @property
    def teams_configured(self) -> bool:
        return bool(self.teams_app_id or self.teams_local)

    @property
    def x_configured(self) -> bool:
        return bool(self.x_bearer_token or (self.x_consumer_key and self.x_access_token))

    @property
    def mastodon_configured(self) -> bool:
        return bool(self.mastodon_base_url and self.mastodon_access_token)

    @property
    def bluesky_configured(self) -> bool:
        return bool(self.bluesky_handle and self.bluesky_app_password)

    @property
    def meta_configured(self) -> bool:
        return bool(self.meta_page_access_token and self.meta_app_secret)

    @property
    def socials_configured(self) -> list[str]:
        """The social platforms this deployment reads mentions from: the poller has work when any."""
        configured = {
            "x": self.x_configured,
            "mastodon": self.mastodon_configured,
            "bluesky": self.bluesky_configured,
            "facebook": self.meta_configured,
        }
        return [name for name, on in configured.items() if on]

    @property
    def chats_configured(self) -> list[str]:
        configured = {"slack": self.slack_configured, "teams": self.teams_configured}
        return [name for name, on in configured.items() if on]

    @property
    def x_main_configured(self) -> bool:
        return bool(self.x_consumer_key and self.x_main_access_token)
