"""Fixtures the unit tests share: the Graph API stand-in over HTTP with a client pointed at it (the
Meta adapter's and the engagement tests)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.meta.graph import GraphClient
from standins.meta_graph import TOKEN, MetaGraphStandIn
from standins.server import BackgroundServer


@pytest.fixture
def meta() -> Iterator[tuple[MetaGraphStandIn, GraphClient]]:
    standin = MetaGraphStandIn()
    with BackgroundServer(standin.app) as server:
        graph = GraphClient(server.url, TOKEN)
        yield standin, graph
        graph.close()
