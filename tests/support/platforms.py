"""A started bridge's social stand-ins, for the tests of the platforms it was started with."""

from __future__ import annotations

from standins.bluesky_api import BlueskyStandIn
from standins.harness import LocalBridge
from standins.mastodon_api import MastodonStandIn
from standins.meta_graph import MetaGraphStandIn


def instance(bridge: LocalBridge) -> MastodonStandIn:
    """The Mastodon instance (a bridge started with ``mastodon=True``)."""
    assert bridge.mastodon is not None
    return bridge.mastodon


def pds(bridge: LocalBridge) -> BlueskyStandIn:
    """The Bluesky PDS (``bluesky=True``)."""
    assert bridge.bluesky is not None
    return bridge.bluesky


def graph(bridge: LocalBridge) -> MetaGraphStandIn:
    """Meta's Graph API (``meta=True``)."""
    assert bridge.meta is not None
    return bridge.meta
