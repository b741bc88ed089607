"""The Meta adapter reads every real delivery, Graph answer and error in ``shared/data/meta`` (the
list in its SOURCES.md): deliveries become the right mentions or are skipped with a reason, Graph
objects read as the adapter reads them, and every error maps to the core's error it should."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from adapters.meta.errors import GraphRejected, error_of, translate, usage_wait_seconds
from adapters.meta.ids import when
from adapters.meta.webhook import Changed, Delivery, parse_delivery
from bridge.domain.errors import AuthFailed, PlatformError, RateLimited, Rejected, Unavailable
from tests.conftest import shared_data

PAGE = "1234567890321"  # restfb's anonymised Page
Check = Callable[[Any], None]


def listed() -> list[str]:
    """The files SOURCES.md lists under "Files in this folder" (not the licences)."""
    text = shared_data("meta", "SOURCES.md").read_text()
    files = re.findall(r"^- (\S+)$", text.split("## Files in this folder", 1)[1], re.MULTILINE)
    return [f for f in files if not re.search(r"(LICENSE|NOTICE|\.md)$", f)]


def load(name: str) -> Any:
    path: Path = shared_data("meta", name)
    raw = path.read_text()
    return json.loads(raw) if name.endswith(".json") else raw


def parsed(payload: Any, page: str = PAGE) -> Delivery:
    return parse_delivery(payload, page)


# deliveries ------------------------------------------------------------------------------------------
def skipped(reason: str) -> Check:
    def check(payload: Any) -> None:
        out = parsed(payload)
        assert out.mentions == [] and out.lookups == [] and out.skipped and reason in out.skipped[0]

    return check


def changed(verb: str) -> Check:
    """An edit or removal is no new case: it is said in the case's thread, with the new words."""

    def check(payload: Any) -> None:
        skipped(f"feed comment {verb}")(payload)
        value = payload["entry"][0]["changes"][0]["value"]
        assert parsed(payload).changed == [
            Changed("facebook", value["comment_id"], verb, value.get("message", ""))
        ]

    return check


def by_page_or_visitor(name: str, text: str) -> Check:
    """The Page's own comment is skipped; the same delivery from another Page's point of view is a
    customer's comment, with the author in either shape (``from`` or ``sender_id``/``sender_name``)."""

    def check(payload: Any) -> None:
        assert "by the Page itself" in parsed(payload).skipped[0]
        payload["entry"][0]["id"] = "999"
        (mention,) = parsed(payload, "999").mentions
        assert (mention.author.id, mention.author.name, mention.text) == (PAGE, name, text)
        assert mention.post_id == "901097836652708_903438993085259"
        assert mention.url.endswith(f"/{PAGE}/posts/901097836652708?comment_id=903438993085259")
        assert mention.in_reply_to == mention.conversation_id == f"{PAGE}_901097836652708"

    return check


def mention(platform: str, post_id: str, author: str, text: str, visibility: str = "public") -> Check:
    def check(payload: Any) -> None:
        (found,) = parsed(payload).mentions
        assert (found.platform, found.post_id, found.author.id, found.text, found.visibility) == (
            platform,
            post_id,
            author,
            text,
            visibility,
        )

    return check


def dm(platform: str, sender: str, text: str) -> Check:
    def check(payload: Any) -> None:
        (found,) = parsed(payload).mentions
        mid = payload["entry"][0]["messaging"][0]["message"]["mid"]
        assert found.post_id == f"dm:{sender}:{mid}" and found.visibility == "direct"
        assert (found.platform, found.author.id, found.text) == (platform, sender, text)
        assert found.created_at == when(payload["entry"][0]["messaging"][0]["timestamp"])

    return check


def ig_mention(payload: Any) -> None:
    out = parsed(payload)
    assert out.mentions == [] and [(m.comment_id, m.media_id) for m in out.lookups] == [
        ("17887498072083520", "17887498072083520")
    ]


# Graph answers ---------------------------------------------------------------------------------------
def no_error(payload: Any) -> None:
    assert error_of(payload) is None


def fails_as(kind: type[PlatformError], status: int = 400) -> Check:
    def check(payload: Any) -> None:
        body = payload if isinstance(payload, dict) else None
        error = translate(status, body, {}, now=1000.0)
        assert type(error) is kind or (kind is Rejected and isinstance(error, GraphRejected)), error
        if isinstance(error, RateLimited):
            assert error.retry_at > 1000.0

    return check


def duplicate(payload: Any) -> None:
    error = translate(400, payload, {}, now=0)
    assert isinstance(error, Rejected) and error.duplicate


def usage_header(payload: Any) -> None:
    header = json.dumps(payload)  # 100 % of calls: wait the 10 minutes Meta estimates
    assert usage_wait_seconds({"X-Business-Use-Case-Usage": header}) == 600


def batch(payload: Any) -> None:
    failed, answered = payload
    headers = {h["name"]: h["value"] for h in failed["headers"]}
    assert usage_wait_seconds(headers) == 0  # 2 % used
    error = translate(failed["code"], json.loads(failed["body"]), headers, now=0)
    assert isinstance(error, GraphRejected) and error.code == 100
    assert answered["code"] == 200 and error_of(json.loads(answered["body"])) is None


def page_conversation(payload: Any) -> None:
    assert payload["id"].startswith("t_") and error_of(payload) is None


def graph_comment(key: str) -> Check:
    def check(payload: Any) -> None:
        items = payload.get("data") or [payload.get("mentioned_comment") or payload]
        assert items and all(
            (i.get("id") or i.get("permalink_url")) and i.get(key) is not None for i in items
        )
        assert all(when(i.get("created_time") or i.get("timestamp")).year >= 2018 for i in items)

    return check


def bottender(payload: Any) -> None:
    changes = payload["feed_changes"]
    found = {}
    for name, c in changes.items():
        page = c["change"]["value"]["post_id"].split("_")[0]  # each change on its own Page
        delivery = {"object": "page", "entry": [{"id": page, "changes": [c["change"]]}]}
        found[name] = parse_delivery(delivery, page)
    assert {n for n, d in found.items() if d.mentions} == {"statusAdd", "commentAdd", "videoCommentAdd"}
    assert "by the Page itself" in found["sentByPage"].skipped[0]  # our own reply never answered again
    two = parse_delivery(payload["delivery_two_pages"]["body"])
    assert len(two.mentions) == 2  # both entries read, not just the first
    assert payload["send_comment"]["response"]["json"]["id"].count("_") == 1


def send_api(payload: Any) -> None:
    for case in payload["cases"]:
        response = case.get("response") or {}
        body = response.get("json")
        if response.get("status", 200) >= 400:
            assert isinstance(translate(response["status"], body, {}, now=0), AuthFailed)
        elif body:
            assert body["message_id"] and error_of(body) is None
        for sub in case.get("batch_responses", []):
            error = translate(sub["code"], sub["body"], {}, now=0)
            assert isinstance(error, RateLimited if "(#613)" in sub["body"]["error"]["message"] else Rejected)


def python_facebook_values(payload: Any) -> None:
    waits = []
    for value in payload["values"]:
        if value["kind"] == "response_headers":
            waits.append(usage_wait_seconds(value["headers"]))
        elif value["kind"] == "mocked_graph_response":
            assert error_of(value["json"]) is None and value["json"]["success"] is True
        else:
            assert isinstance(translate(400, value["json"], {}, now=0), AuthFailed)
    assert waits == [300, 0, 0, 0]  # 91 % of the app's calls: back off before Meta throttles


R, W, IG, S, P = (
    "restfb/json/",
    "restfb/json/webhooks/",
    "restfb/json/instagram/",
    "spring-social-facebook/errors/",
    "python-facebook/testdata/",
)
CHECKS: dict[str, Check] = {
    "bottender/facebook-feed-and-comments.json": bottender,
    "messaging-apis/messenger-send-api.json": send_api,
    "python-facebook/extracted/test-values.json": python_facebook_values,
    f"{P}base/error_data.json": fails_as(Rejected),
    f"{P}error.json": fails_as(Rejected),
    f"{P}facebook/apidata/comments/comment_info.json": graph_comment("message"),
    f"{P}facebook/apidata/comments/comments_p1.json": graph_comment("message"),
    f"{P}facebook/apidata/comments/create_resp.json": graph_comment("permalink_url"),
    f"{P}facebook/apidata/conversations/cvs_info.json": page_conversation,
    f"{P}facebook/apidata/messages/message_info.json": graph_comment("from"),
    f"{P}instagram/apidata/comments/comment_fields.json": graph_comment("text"),
    f"{P}instagram/apidata/comments/replies.json": graph_comment("text"),
    f"{P}instagram/apidata/users/mentioned_comment.json": graph_comment("username"),
    f"{R}api/header-business.json": usage_header,
    f"{R}batch/batch-first-error.json": batch,
    f"{R}exampleError.json": fails_as(AuthFailed),
    f"{R}exampleErrorNew.json": fails_as(AuthFailed),
    f"{R}oauthExampleError.json": fails_as(Rejected),  # code 1, but with a message for the user
    f"{R}send/page-message-tag.json": no_error,
    f"{IG}comment.json": graph_comment("text"),
    f"{IG}ig_login_exception.json": fails_as(Rejected),
    f"{IG}mentioned-media.json": no_error,
    f"{IG}messaging-attachment-unsupported.json": dm(
        "instagram", "5614879045272581", "[attachment: unsupported_type]"
    ),
    f"{IG}messaging-seen.json": skipped("instagram read"),
    f"{IG}wh-comments-2021.json": mention("instagram", "123456789", "1234536447", "This is an example."),
    f"{IG}wh-comments.json": mention("instagram", "123456789", "unknown:123456789", "This is an example."),
    f"{IG}wh-livecomments.json": mention(
        "instagram", "123456789", "unknown:123456789", "This is an example.", "public (live video)"
    ),
    f"{IG}wh-mentions.json": ig_mention,
    f"{W}feed-comment-add-211.json": by_page_or_visitor("Tester", "and the next one"),
    f"{W}feed-comment-add-25.json": by_page_or_visitor("Tester", "and the next one"),
    f"{W}feed-comment-add-with-photo.json": by_page_or_visitor("Tester", "and the next one [photo]"),
    f"{W}feed-comment-add-with-video.json": by_page_or_visitor("Tester", "and the next one [video]"),
    f"{W}feed-comment-edited-25.json": changed("edited"),
    f"{W}feed-comment-hide.json": skipped("feed comment hide"),
    f"{W}feed-comment-remove-25.json": changed("remove"),
    f"{W}feed-comment-unhide.json": skipped("feed comment unhide"),
    f"{W}feed-post-add-25.json": mention(
        "facebook", f"{PAGE}_7293787835232", "8423678347823", "Let's check this"
    ),
    f"{W}feed-post-remove-25.json": skipped("feed post remove"),
    f"{W}feed-reaction-add-comment.json": skipped("feed reaction add"),
    f"{W}feed-reaction-add-reply.json": skipped("feed reaction add"),
    f"{W}feed-status-add-25.json": skipped("feed status by the Page itself"),
    f"{W}feed-two-entries-25.json": skipped("change without a value"),
    f"{W}mention-comment-add.json": mention(
        "facebook",
        "7363534231324_3754798971271444",
        "unknown:7363534231324_3754798971271444",
        "Just a test message",
    ),
    f"{W}mention-post-add-real.json": mention(
        "facebook", f"{PAGE}_98722536423179", f"unknown:{PAGE}_98722536423179", "A test post message"
    ),
    f"{W}mention-post-add.json": mention(
        "facebook", "44444444_444444444", "44444444", "(a mention without text)"
    ),
    f"{W}messaging-delivery-basic.json": skipped("facebook delivery"),
    f"{W}messaging-message-basic-echo.json": skipped("echo of our own message"),
    f"{W}messaging-message-basic.json": dm("facebook", "987654321432", "hello, world!"),
    f"{W}messaging-message-edits.json": skipped("facebook message_edit"),
    f"{W}messaging-message-isdeleted.json": skipped("message deleted"),
    f"{W}messaging-message-media-attachment.json": dm("facebook", "987654321432", "[attachment: image]"),
    f"{W}messaging-message-quickreply.json": dm("facebook", "987654321432", "quick reply text"),
    f"{W}messaging-message-reply-1.json": dm("facebook", "987654321432", "hello, world!"),
    f"{W}messaging-message-sticker-thumbup.json": dm("facebook", "987654321432", "[attachment: image]"),
    f"{W}messaging-pass-thread-control.json": skipped("facebook pass_thread_control"),
    f"{W}messaging-policy-callback-block.json": skipped("facebook policy-enforcement"),
    f"{W}messaging-postback-basic.json": skipped("facebook postback"),
    f"{W}messaging-postback-chat.json": skipped("facebook postback"),
    f"{W}messaging-postback-referral.json": skipped("facebook postback"),
    f"{W}messaging-reaction-1.json": skipped("facebook reaction"),
    f"{W}messaging-read-basic.json": skipped("facebook read"),
    f"{W}messaging-take-thread-control.json": skipped("facebook take_thread_control"),
    f"{W}standby-message-basic-echo.json": skipped("standby"),
    f"{W}unknown-change-value.json": skipped("field foo"),
    f"{S}error-10-permissionDenied.json": fails_as(Rejected),
    f"{S}error-100-badRequestUrl.json": fails_as(Rejected),
    f"{S}error-104-noAccessToken.json": fails_as(Rejected),
    f"{S}error-190-bogusAccessToken.json": fails_as(AuthFailed),
    f"{S}error-190-tokenExpired.json": fails_as(AuthFailed),
    f"{S}error-190-userLoggedOut.json": fails_as(AuthFailed),
    f"{S}error-190-userRevokedToken.json": fails_as(AuthFailed),
    f"{S}error-2-serviceUnavailable.json": fails_as(Unavailable),
    f"{S}error-200-notAuthorizedForAction.json": fails_as(Rejected),
    f"{S}error-368-blocked.json": fails_as(RateLimited),
    f"{S}error-506-duplicate.json": duplicate,
    f"{S}error-expired-token.json": fails_as(AuthFailed),
    f"{S}error-not-json.html": fails_as(Rejected),
    f"{S}error-permission.json": fails_as(Rejected),
    f"{S}error-rate-limit.json": fails_as(RateLimited),
}


def test_every_listed_file_is_checked() -> None:
    assert sorted(listed()) == sorted(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_the_adapter_reads(name: str) -> None:
    CHECKS[name](load(name))
