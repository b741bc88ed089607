"""slack_sdk's ``WebClient``, with its HTTP connections kept open between calls.

The SDK's synchronous client sends each call through ``urllib.request.urlopen``, which opens a new
connection every time: against Slack, a TCP and TLS handshake per card, per refresh, per note, and
the same again for Slack's side. Measured against the Slack stand-in on this machine (client and
server in one process, plain HTTP, so without TLS's share): about 690 µs of CPU a call, against 330
over a kept connection.

Only the one step that sends the request changes: the SDK builds the request, runs its retry
handlers and parses the answer as before. Here the request goes over a urllib3 pool, and the answer
comes back as ``urlopen`` would give it: a 2xx as the SDK's dict, anything else raised as
``urllib.error.HTTPError`` (the SDK's 429 handling reads it), a failure to connect as ``URLError``
(which its connection-error handler retries). A request is never sent twice by the pool: urllib3 may
retry only a connection that could not be opened, before anything was sent. With a proxy configured,
the SDK's own path is used.
"""

from __future__ import annotations

import io
import urllib.error
from http.client import HTTPMessage
from typing import Any
from urllib.request import Request

import urllib3
from slack_sdk import WebClient

__all__ = ["KeepAliveWebClient"]

#: Connections kept per host: one per thread that calls Slack at once is plenty for a worker.
POOL_SIZE = 4


class KeepAliveWebClient(WebClient):
    """A ``WebClient`` whose calls reuse their connections (one pool per client, thread-safe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pool = urllib3.PoolManager(
            num_pools=POOL_SIZE,
            maxsize=POOL_SIZE,
            retries=urllib3.Retry(total=1, connect=1, read=0, redirect=0, status=0, other=0),
            ssl_context=self.ssl,
        )

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if self.proxy is not None or not url.lower().startswith("http"):
            return super()._perform_urllib_http_request_internal(url, req)
        try:
            answer = self._pool.request(
                "POST",
                url,
                body=req.data,  # type: ignore[arg-type]
                headers=dict(req.header_items()),
                timeout=urllib3.Timeout(total=self.timeout),
                preload_content=True,
            )
        except (urllib3.exceptions.MaxRetryError, urllib3.exceptions.NewConnectionError) as exc:
            raise urllib.error.URLError(getattr(exc, "reason", None) or exc) from exc
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise TimeoutError(str(exc)) from exc
        except urllib3.exceptions.ProtocolError as exc:  # the connection broke mid-answer
            raise urllib.error.URLError(exc) from exc
        headers = HTTPMessage()
        for name, value in answer.headers.items():
            headers[name] = value
        if answer.status >= 400:
            body = io.BytesIO(answer.data)
            raise urllib.error.HTTPError(url, answer.status, answer.reason or "", headers, body)
        if headers.get_content_type() == "application/gzip":
            return {"status": answer.status, "headers": headers, "body": answer.data}
        charset = headers.get_content_charset() or "utf-8"
        return {"status": answer.status, "headers": headers, "body": answer.data.decode(charset)}
