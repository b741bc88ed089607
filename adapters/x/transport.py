"""Send tweepy's requests to another X API host (the ``X_API_URL`` setting).

``tweepy.Client`` builds every URL from a hard-coded ``https://api.twitter.com`` and offers no
base-URL option, but it sends through a public ``requests.Session``. A transport adapter mounted
on that session rewrites scheme, host and port just before sending, so the real SDK, its request
building, OAuth 1.0a signing and error handling all run unchanged against a stand-in.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

# Hosts tweepy's v2 client and X itself use for the API; both are redirected.
TWEEPY_API_ORIGINS = ("https://api.twitter.com/", "https://api.x.com/")


class HostRewriteAdapter(HTTPAdapter):
    """Keeps each request's path and query; replaces scheme and host[:port] with ``base_url``'s,
    and prefixes ``base_url``'s path, if it has one."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        target = urlsplit(base_url)
        if not target.scheme or not target.netloc:
            raise ValueError(f"base_url needs a scheme and host, got {base_url!r}")
        self._scheme = target.scheme
        self._netloc = target.netloc
        self._prefix = target.path.rstrip("/")
        super().__init__(**kwargs)

    def rewrite(self, url: str) -> str:
        parts = urlsplit(url)
        return urlunsplit(
            (self._scheme, self._netloc, self._prefix + parts.path, parts.query, parts.fragment)
        )

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        request.url = self.rewrite(str(request.url))
        return super().send(request, *args, **kwargs)


def point_tweepy_at(client: Any, base_url: str) -> None:
    """Route ``client``'s API calls (a ``tweepy.Client``; anything with a ``requests.Session`` as
    ``.session``) to ``base_url``, e.g. ``http://127.0.0.1:54321``."""
    adapter = HostRewriteAdapter(base_url)
    for origin in TWEEPY_API_ORIGINS:
        client.session.mount(origin, adapter)
