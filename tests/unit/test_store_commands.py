"""Redis work per case on the hot paths, counted by the server (``INFO commandstats`` counts the
commands a Lua script runs too): a new case and a Claim are a handful of commands each, where the
case's 40-odd fields used to be written one command each."""

from __future__ import annotations

import os

import pytest

from bridge.domain.lifecycle import Action
from bridge.store.cases import Store
from tests.conftest import TEST_REDIS_VARIABLE
from tests.unit.test_store import make_case

pytestmark = pytest.mark.skipif(
    bool(os.environ.get(TEST_REDIS_VARIABLE)), reason="a shared Redis counts other clients' commands too"
)

NOT_OURS = {"cmdstat_info"}


def commands(store: Store) -> int:
    stats = store.r.info("commandstats")
    return sum(int(v["calls"]) for k, v in stats.items() if k not in NOT_OURS)


def test_a_new_case_and_a_claim_each_cost_a_handful_of_redis_commands(store: Store) -> None:
    warm, _ = store.create_case_once(make_case("100"))  # the scripts are loaded once per server
    store.transition(warm, Action.CLAIM, "U1", guards={"claimant": ""}, values={"claimant": "U1"})

    before = commands(store)
    number, created = store.create_case_once(make_case("101"))
    creating = commands(store) - before
    before = commands(store)
    claimed = store.transition(number, Action.CLAIM, "U1", guards={"claimant": ""}, values={"claimant": "U1"})
    claiming = commands(store) - before

    assert created and claimed.ok
    assert max(creating, claiming) <= 12, f"create {creating}, claim {claiming} Redis commands"
