"""The names X API v2 accepts for fields, expansions and timeline parameters.

Copied from X's API reference so the stand-in refuses exactly what X refuses; the stand-in fills
only the fields the bridge reads and silently omits the other valid ones, as X does when a
value is absent.
"""

from __future__ import annotations

TWEET_FIELDS = frozenset(
    [
        "article",
        "attachments",
        "author_id",
        "card_uri",
        "community_id",
        "context_annotations",
        "conversation_id",
        "created_at",
        "display_text_range",
        "edit_controls",
        "edit_history_tweet_ids",
        "entities",
        "geo",
        "id",
        "in_reply_to_user_id",
        "lang",
        "media_metadata",
        "non_public_metrics",
        "note_tweet",
        "organic_metrics",
        "possibly_sensitive",
        "promoted_metrics",
        "public_metrics",
        "referenced_tweets",
        "reply_settings",
        "scopes",
        "source",
        "text",
        "withheld",
    ]
)
USER_FIELDS = frozenset(
    [
        "affiliation",
        "connection_status",
        "created_at",
        "description",
        "entities",
        "id",
        "location",
        "most_recent_tweet_id",
        "name",
        "pinned_tweet_id",
        "profile_banner_url",
        "profile_image_url",
        "protected",
        "public_metrics",
        "receives_your_dm",
        "subscription_type",
        "url",
        "username",
        "verified",
        "verified_type",
        "withheld",
    ]
)
TWEET_EXPANSIONS = frozenset(
    [
        "article.cover_media",
        "article.media_entities",
        "attachments.media_keys",
        "attachments.media_source_tweet",
        "attachments.poll_ids",
        "author_id",
        "edit_history_tweet_ids",
        "entities.mentions.username",
        "entities.note.mentions.username",
        "geo.place_id",
        "in_reply_to_user_id",
        "referenced_tweets.id",
        "referenced_tweets.id.attachments.media_keys",
        "referenced_tweets.id.author_id",
    ]
)
USER_EXPANSIONS = frozenset(["affiliation.user_id", "most_recent_tweet_id", "pinned_tweet_id"])
DM_EVENT_FIELDS = frozenset(
    [
        "attachments",
        "created_at",
        "dm_conversation_id",
        "entities",
        "event_type",
        "id",
        "participant_ids",
        "referenced_tweets",
        "sender_id",
        "text",
    ]
)
DM_EXPANSIONS = frozenset(["attachments.media_keys", "participant_ids", "referenced_tweets.id", "sender_id"])
# Accepted for completeness; the stand-in holds no media, places or polls.
OPAQUE_PARAMS = ("media.fields", "place.fields", "poll.fields")
TIMELINE_PARAMS = (
    "end_time",
    "expansions",
    "max_results",
    "pagination_token",
    "since_id",
    "start_time",
    "tweet.fields",
    "until_id",
    "user.fields",
    *OPAQUE_PARAMS,
)
