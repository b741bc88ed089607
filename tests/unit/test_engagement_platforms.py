"""Each platform reads back the likes, replies and reposts of our own public answer: the real SDKs
against the stand-ins over HTTP, and the counts parsed from the platforms' real answers
(``../shared/data``); a deleted post or a private message gives no counts at all."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import tweepy
from atproto import models
from atproto_client.models.utils import get_or_create
from mastodon import Mastodon

from adapters.bluesky.client import BlueskySession
from adapters.bluesky.platform import BlueskyPlatform
from adapters.bluesky.platform import engagement_of as bluesky_engagement
from adapters.mastodon.platform import MastodonPlatform
from adapters.mastodon.platform import engagement_of as mastodon_engagement
from adapters.meta.engagement import facebook_engagement, instagram_engagement
from adapters.meta.graph import GraphClient
from adapters.meta.ids import dm_id
from adapters.meta.platform import FacebookPlatform, InstagramPlatform
from adapters.x.platform import XPlatform, engagement_of
from adapters.x.transport import point_tweepy_at
from bridge.domain.ports import Engagement, PostEngagement
from standins.bluesky_api import APP_PASSWORD, BlueskyStandIn
from standins.mastodon_api import TOKEN as MASTODON_TOKEN
from standins.mastodon_api import MastodonStandIn
from standins.meta_graph import IG_ID, PAGE_ID, MetaGraphStandIn
from standins.server import BackgroundServer
from standins.x_api import XStandIn
from tests.conftest import shared_data
from tests.unit.test_mastodon_recorded import answer, replaying


def _json(*parts: str) -> Any:
    return json.loads(shared_data(*parts).read_text(encoding="utf-8"))


# X ------------------------------------------------------------------------------------------------
@pytest.fixture
def x() -> Iterator[tuple[XStandIn, XPlatform]]:
    standin = XStandIn()
    with BackgroundServer(standin.app) as server:
        client = tweepy.Client(
            bearer_token="app-bearer",
            consumer_key="ck",
            consumer_secret="cs",
            access_token=f"{standin.user_id}-token",
            access_token_secret="ats",
        )
        point_tweepy_at(client, server.url)
        yield standin, XPlatform(client, standin.user_id, standin.handle)


def test_x_counts_quotes_with_retweets_and_a_deleted_post_has_no_counts(
    x: tuple[XStandIn, XPlatform],
) -> None:
    standin, platform = x
    assert isinstance(platform, Engagement)
    mention = standin.add_mention("my order is late", author_handle="maria")
    ours = platform.reply(mention, "Sorry Maria, it ships today.")
    standin.set_engagement(ours.id, likes=4, replies=2, reposts=1, quotes=2)
    assert platform.engagement(ours.id) == PostEngagement(likes=4, replies=2, reposts=3)
    platform.client.delete_tweet(ours.id, user_auth=True)
    assert platform.engagement(ours.id) is None


def test_x_reads_the_recorded_lookup_and_a_post_without_metrics_counts_nothing() -> None:
    recorded = _json("x", "tweepy-recordings", "test_client_get_tweet.decoded.json")[0]["response_json"]
    tweet = tweepy.Tweet(recorded["data"])
    assert tweet.public_metrics is None  # X leaves the field out unless asked for it
    assert engagement_of(tweet.public_metrics) == PostEngagement(0, 0, 0)
    documented = {"retweet_count": 7, "reply_count": 3, "like_count": 21, "quote_count": 1}
    assert engagement_of(documented) == PostEngagement(likes=21, replies=3, reposts=8)


# Mastodon -----------------------------------------------------------------------------------------
def test_mastodon_counts_favourites_replies_and_boosts_from_the_stand_in() -> None:
    standin = MastodonStandIn()
    with BackgroundServer(standin.app) as server:
        client = Mastodon(
            access_token=MASTODON_TOKEN,
            api_base_url=server.url,
            ratelimit_method="throw",
            version_check_mode="none",
        )
        platform = MastodonPlatform(client, standin.me["acct"], account_id=standin.me["id"])
        mention = standin.add_mention("kim", "the app logs me out")
        ours = platform.reply(mention["id"], "Thanks Kim, a fix is out tomorrow.")
        standin.set_engagement(ours.id, favourites=5, replies=1, reblogs=2)
        assert platform.engagement(ours.id) == PostEngagement(likes=5, replies=1, reposts=2)
        assert platform.engagement("999999999") is None  # deleted, or never ours


def test_mastodon_reads_recorded_statuses_a_missing_one_and_a_direct_one() -> None:
    public = answer("test_status_post__None-public", "POST", "/api/v1/statuses")
    with replaying(public) as platform:
        found = platform.engagement(str(public["response_json"]["id"]))
    status = public["response_json"]
    assert found == PostEngagement(
        status["favourites_count"], status["replies_count"], status["reblogs_count"]
    )
    direct = answer("test_status_post__None-direct", "POST", "/api/v1/statuses")["response_json"]
    assert direct["visibility"] == "direct" and mastodon_engagement(direct) is None
    with replaying(answer("test_status_missing", "GET", "/api/v1/statuses/0")) as platform:
        assert platform.engagement("0") is None


# Bluesky ------------------------------------------------------------------------------------------
def test_bluesky_counts_likes_replies_reposts_and_quotes_and_a_deleted_post_has_none() -> None:
    standin = BlueskyStandIn()
    with BackgroundServer(standin.app) as server:
        platform = BlueskyPlatform(BlueskySession(server.url, standin.me["handle"], APP_PASSWORD))
        mention = standin.add_mention("sam.bsky.social", "where is my parcel?")
        ours = platform.reply(mention["uri"], "Sam, it arrives Friday.")
        standin.set_engagement(ours.id, likes=6, replies=2, reposts=1, quotes=1)
        assert platform.engagement(ours.id) == PostEngagement(likes=6, replies=2, reposts=2)
        del standin.state.posts[ours.id]
        assert platform.engagement(ours.id) is None
        platform.close()


def test_bluesky_reads_the_counts_of_a_recorded_post_view() -> None:
    recorded = _json("bluesky", "responses", "atproto-appview-snapshots", "getPostThread.thread.shallow.json")
    view = get_or_create(recorded["post"], models.AppBskyFeedDefs.PostView, strict=False)
    post = recorded["post"]
    assert bluesky_engagement(view) == PostEngagement(
        post["likeCount"], post["replyCount"], post["repostCount"] + post["quoteCount"]
    )


# Facebook and Instagram ---------------------------------------------------------------------------


def test_facebook_and_instagram_count_likes_and_replies_of_our_comment(
    meta: tuple[MetaGraphStandIn, GraphClient],
) -> None:
    standin, graph = meta
    page = FacebookPlatform(graph, PAGE_ID, PAGE_ID)
    comment = standin.add_comment({"id": "5550001", "name": "Maria"}, "refund?")
    ours = page.reply(comment["id"], "Refunded today.")
    standin.set_engagement(ours.id, likes=3, replies=2)
    assert page.engagement(ours.id) == PostEngagement(likes=3, replies=2, reposts=0)
    insta = InstagramPlatform(graph, PAGE_ID, IG_ID, "acme")
    on_media = standin.add_comment({"id": "7770001", "username": "lee"}, "size?", platform="instagram")
    answer_ig = insta.reply(on_media["id"], "Lee, it runs small.")
    standin.set_engagement(answer_ig.id, likes=9, replies=1)
    assert insta.engagement(answer_ig.id) == PostEngagement(likes=9, replies=1, reposts=0)
    assert page.engagement(f"{comment['id'].split('_')[0]}_404404") is None  # deleted
    message = standin.add_message("messenger", "2401", "hello")
    assert page.engagement(dm_id("2401", message["id"])) is None
    assert page.engagement(str(message["id"])) is None  # a message id: private, nothing public to count


def test_recorded_graph_comments_give_their_likes_and_replies() -> None:
    facebook = _json(
        "meta", "python-facebook", "testdata", "facebook", "apidata", "comments", "comment_info.json"
    )
    assert facebook_engagement(facebook) == PostEngagement(
        facebook["like_count"], facebook["comment_count"], 0
    )
    instagram = _json("meta", "restfb", "json", "instagram", "comment.json")
    assert instagram_engagement(instagram) == PostEngagement(
        instagram["like_count"], len(instagram["replies"]["data"]), 0
    )
    liked = _json(
        "meta", "python-facebook", "testdata", "instagram", "apidata", "comments", "comment_fields.json"
    )
    assert instagram_engagement(liked) == PostEngagement(likes=1, replies=0, reposts=0)
