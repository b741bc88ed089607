"""The Graph API paths the bridge calls, served from :class:`~standins.meta_graph.MetaGraphStandIn`.

One catch-all route per method reads ``/<version>/<object>[/<edge>]`` the way the Graph API does: an
object id, then an edge (``comments``, ``replies``, ``messages``, ``feed`` …).
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from standins.meta_graph import IG_ID, PAGE_ID, TOKEN, GraphError, MetaGraphStandIn

__all__ = ["routes"]

Json = dict[str, Any]


def routes(graph: MetaGraphStandIn) -> list[web.RouteDef]:
    async def handle(request: web.Request) -> web.Response:
        headers = {
            "X-App-Usage": json.dumps(
                {"call_count": graph.state.usage_percent, "total_cputime": 1, "total_time": 1}
            )
        }
        try:
            if request.headers.get("Authorization") != f"Bearer {TOKEN}":
                raise GraphError(190, "Invalid OAuth access token - Cannot parse access token", 0)
            if graph.state.token_expired:
                raise GraphError(190, "Error validating access token: Session has expired", 463)
            fault, graph.state.fail_next = graph.state.fail_next, None
            if fault is not None:
                raise fault
            body: Json = await request.json() if request.can_read_body else {}
            parts = request.match_info["path"].strip("/").split("/")
            answer = _dispatch(graph, request.method, parts, dict(request.query), body)
            late, graph.state.fail_after_write = graph.state.fail_after_write, None
            if late is not None and request.method != "POST":
                graph.state.fail_after_write = late  # kept for the next write
            elif late is not None:
                raise late
        except GraphError as exc:
            return web.json_response(exc.body(), status=exc.status, headers=headers)
        return web.json_response(answer, headers=headers)

    return [web.route("*", r"/{version:v[0-9.]+}/{path:.*}", handle)]


def _dispatch(graph: MetaGraphStandIn, method: str, parts: list[str], query: Json, body: Json) -> Json:
    obj, edge = parts[0], (parts[1] if len(parts) > 1 else "")
    if method == "POST":
        return _post(graph, obj, edge, body)
    if method == "DELETE" and edge == "blocked":
        graph.state.banned.discard(str(query.get("user") or ""))
        return {"success": True}
    if method != "GET":
        raise GraphError(100, "Unsupported request", status=400)
    return _get(graph, obj, edge, query)


def _post(graph: MetaGraphStandIn, obj: str, edge: str, body: Json) -> Json:
    comments = graph.state.comments
    if edge == "comments":
        made = graph.reply_to(obj, str(body.get("message") or ""), "facebook")
        post, _, number = made["id"].partition("_")
        link = f"https://www.facebook.com/{PAGE_ID}/posts/{post}?comment_id={number}"
        return {
            "id": made["id"],
            **({"permalink_url": link} if "permalink_url" in str(body.get("fields")) else {}),
        }
    if edge == "replies":
        return {"id": graph.reply_to(obj, str(body.get("message") or ""), "instagram")["id"]}
    if edge == "messages" and obj == PAGE_ID:
        return graph.send(body)
    if edge == "feed" and obj == PAGE_ID:
        return {"id": graph.page_post(str(body.get("message") or ""))["id"]}
    if edge == "blocked" and obj == PAGE_ID:
        graph.state.banned.add(str(body.get("user") or ""))
        return {"success": True}
    if not edge and obj in comments:
        flag = body.get("is_hidden", body.get("hide"))
        comments[obj]["hidden"] = bool(flag)
        return {"success": True}
    raise GraphError(100, f"Unsupported post request. Object with ID '{obj}' does not exist")


def _page(items: list[Json]) -> Json:
    return {"data": items, "paging": {"cursors": {"before": "MAZDZD", "after": "MAZDZD"}}}


def _public(comment: Json, comments: dict[str, Json]) -> Json:
    """A comment as the Graph API shows it; on Facebook a reply names its parent comment."""
    keep = ("id", "from", "message", "text", "created_time", "timestamp", "username", "parent_id")
    shown = {k: comment[k] for k in keep if k in comment}
    if comment["platform"] == "facebook":
        shown["permalink_url"] = _permalink(comment["id"])
        if comment["parent_id"] in comments:
            shown["parent"] = {"id": comment["parent_id"]}
    return shown


def _counts(comment: Json, comments: dict[str, Json], fields: str) -> Json:
    """A comment's reactions, where asked for: ``like_count``; on Facebook ``comment_count``, on
    Instagram the ``replies`` edge. A test's numbers (``set_engagement``) win over the replies held."""
    replies = [c["id"] for c in comments.values() if c["parent_id"] == comment["id"]]
    if "replies_set" in comment:
        replies = [f"{comment['id']}{n:03d}" for n in range(comment["replies_set"])]
    counts: Json = {}
    if "like_count" in fields:
        counts["like_count"] = comment.get("likes_set", 0)
    if comment["platform"] == "facebook" and "comment_count" in fields:
        counts["comment_count"] = len(replies)
    if comment["platform"] == "instagram" and re.search(r"\breplies\b", fields):
        counts["replies"] = {"data": [{"id": r} for r in replies]}
    return counts


def _permalink(comment_id: str) -> str:
    post, _, number = comment_id.partition("_")
    return f"https://www.facebook.com/{PAGE_ID}/posts/{post}?comment_id={number}"


def _get(graph: MetaGraphStandIn, obj: str, edge: str, query: Json) -> Json:
    state = graph.state
    if edge in ("comments", "replies"):
        found = [c for c in state.comments.values() if c["parent_id"] == obj]
        if query.get("order") == "reverse_chronological":
            found.reverse()
        return _page([_public(c, state.comments) for c in found])
    if edge in ("feed", "posts") and obj == PAGE_ID:
        return _page(list(reversed(state.posts.values())))
    if edge == "media" and obj == IG_ID:
        return _page(list(reversed(state.media.values())))
    if edge == "conversations" and obj == PAGE_ID:
        return _page(_conversations(graph, query))
    if not edge and obj == IG_ID and "mentioned_comment" in str(query.get("fields")):
        wanted = re.search(r"comment_id\(([^)]+)\)", str(query.get("fields")))
        comment = state.comments.get(wanted.group(1) if wanted else "")
        if comment is None:
            raise GraphError(100, "Invalid comment id")
        media = state.media.get(comment["object_id"], {})
        shown = {
            **_public(comment, state.comments),
            "media": {"id": media.get("id"), "permalink": media.get("permalink")},
        }
        return {"mentioned_comment": shown, "id": IG_ID}
    if not edge and obj in state.posts:
        post = state.posts[obj]
        page, _, number = obj.partition("_")
        return {**post, "permalink_url": f"https://www.facebook.com/{page}/posts/{number}"}
    if not edge and obj in state.media:
        return dict(state.media[obj])
    if not edge and obj in state.people:
        return {"id": obj, **state.people[obj]}
    if not edge and obj in state.comments:
        comment = state.comments[obj]
        shown = _public(comment, state.comments)
        on = state.media.get(comment["object_id"])
        if on is not None:
            shown["media"] = {"id": on["id"], "permalink": on["permalink"]}
        if comment["private_reply"]:
            shown["private_reply_conversation"] = {"id": comment["private_reply"]}
        return {**shown, **_counts(comment, state.comments, str(query.get("fields") or ""))}
    raise GraphError(
        100, f"Object with ID '{obj}' does not exist, cannot be loaded due to missing permissions"
    )


def _conversations(graph: MetaGraphStandIn, query: Json) -> list[Json]:
    kind = str(query.get("platform") or "messenger")
    person = str(query.get("user_id") or "")
    found = []
    for (platform, who), thread in graph.state.conversations.items():
        if platform != kind or (person and who != person):
            continue
        found.append(
            {
                "id": f"t_{who}",
                "updated_time": thread[0]["created_time"] if thread else "",
                "messages": _page(thread[:10]),
            }
        )
    return found
