"""The case history store on SQLite and, when one answers on loopback, on PostgreSQL: migrations on
an empty database, upserts, lookups, streaming, retention and erasure."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bridge.store.history import CaseFacts, Event, History, Search, forget_engines, history_url, open_engine
from bridge.store.history.history import CustomerAsk
from tests.support.history import postgres_schema, postgres_url

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TOMBSTONE = "[erased on 2026-12-06]"


@pytest.fixture(params=["sqlite", "postgresql"])
def history(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[History]:
    forget_engines()
    if request.param == "sqlite":
        yield History(open_engine(history_url(None, tmp_path)))
        forget_engines()
        return
    url = postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL answers at 127.0.0.1:5432 (database test, user postgres or root)")
    with postgres_schema(url) as scoped:
        yield History(open_engine(scoped))


def case(number: int, **values: object) -> CaseFacts:
    base: dict[str, object] = {
        "number": number,
        "platform": "x",
        "created_at": T0 + timedelta(days=number - 1001),
        "closed_at": T0 + timedelta(days=number - 1001, hours=1),
        "state": "posted",
        "outcome": "posted",
        "author_handle": "Carol",
        "author_handle_folded": "carol",
        "author_id": "42",
        "text": "I was charged twice for order 5567",
        "department": "billing",
    }
    base.update(values)
    return CaseFacts(**base)  # type: ignore[arg-type]


def timeline() -> list[Event]:
    return [
        Event(T0, "ingested", "bridge", {"post_id": "555"}),
        Event(
            T0 + timedelta(minutes=30),
            "customer_follow_up",
            "Carol",
            {"text": "still waiting", "post_id": "556"},
        ),
        Event(T0 + timedelta(minutes=40), "note", "U0EXP1", {"text": "called Carol about 5567"}),
    ]


def test_migrations_create_the_tables_and_indexes_on_an_empty_database(history: History) -> None:
    names = inspect(history.engine).get_table_names()
    assert {"cases", "case_events", "alembic_version"} <= set(names)
    indexes = {i["name"] for i in inspect(history.engine).get_indexes("cases")}
    assert {"ix_cases_author", "ix_cases_department", "ix_cases_state", "ix_cases_created"} <= indexes


def test_saving_twice_keeps_one_row_and_a_reopen_replaces_the_facts(history: History) -> None:
    history.save(case(1001), timeline())
    history.save(case(1001), timeline())
    assert history.count() == 1 and len(history.events(1001)) == 3
    history.save(case(1001, reopened=1, state="resolved", outcome="resolved"), timeline()[:1])
    saved = history.get(1001)
    assert saved is not None and (saved.reopened, saved.state) == (1, "resolved")
    assert [e.kind for e in history.events(1001)] == ["ingested"]
    assert saved.created_at == T0 and saved.created_at.tzinfo is not None


def test_a_customer_is_found_by_platform_id_or_by_handle_whatever_its_case(history: History) -> None:
    history.save(case(1001, polarity_end="negative", outcome="resolved"), [])
    history.save(case(1002, author_handle="CAROL_new", author_handle_folded="carol_new"), [])
    history.save(case(1003, author_id="77", author_handle="dave", author_handle_folded="dave"), [])
    found = history.customer("x", "42", "carol_new", before=1010)
    assert (found.earlier, found.last_number, found.last_outcome) == (2, 1002, "posted")
    assert history.customer("x", "", "@Carol", before=1010).earlier == 1
    assert history.customer("mastodon", "99", "nobody").earlier == 0
    assert history.customer("x", "42", "carol", before=1002).earlier == 1  # only cases before this one


def test_many_new_cards_ask_about_their_customers_in_one_query_with_the_same_answers(
    history: History,
) -> None:
    history.save(case(1001, polarity_end="negative", outcome="resolved"), [])
    history.save(case(1002, author_handle="CAROL_new", author_handle_folded="carol_new"), [])
    history.save(case(1003, author_id="77", author_handle="dave", author_handle_folded="dave"), [])
    asks = [
        CustomerAsk("x", "42", "carol_new", before=1010),
        CustomerAsk("x", "", "@Carol", before=1010),
        CustomerAsk("mastodon", "99", "nobody"),
        CustomerAsk("x", "42", "carol", before=1002),
        CustomerAsk("x", "77", "", before=1010),
    ]
    answers = history.customers(asks)
    assert answers == [history.customer(a.platform, a.author_id, a.handle, before=a.before) for a in asks]
    assert [a.earlier for a in answers] == [2, 1, 0, 1, 1]
    assert answers[0].last_number == 1002 and answers[4].last_number == 1003
    assert history.customers([CustomerAsk("x", "", "")]) == [history.customer("x", "", "")]


def test_stream_search_and_retention(history: History) -> None:
    for number in range(1001, 1006):
        history.save(case(number, department="legal" if number == 1003 else "billing"), timeline())
    since = T0 + timedelta(days=1)
    assert [c.number for c in history.stream(since, T0 + timedelta(days=3))] == [1002, 1003]
    assert [c.number for c in history.search(Search(department="legal"))] == [1003]
    assert len(history.search(Search(handle="car", text="CHARGED"))) == 5
    assert history.search(Search(text="100%")) == []
    removed = history.remove_closed_before(T0 + timedelta(days=2))  # 1001 and 1002 closed before
    assert removed == 2 and history.count() == 3 and history.events(1001) == []


def test_erasure_replaces_the_customer_and_their_words_but_keeps_the_figures(history: History) -> None:
    import re

    history.save(case(1001, survey_comment="Carol says thanks"), timeline())
    history.save(case(1002, author_id="77", author_handle="dave", author_handle_folded="dave", text="hi"), [])
    numbers = history.find_customer("@carol", "")
    assert numbers == [1001]
    pattern = re.compile(r"(?<![\w])(?:Carol|5567)(?![\w])", re.IGNORECASE)
    assert history.erase(numbers, TOMBSTONE, "2026-12-06", pattern) >= 2
    erased = history.get(1001)
    assert erased is not None
    assert (erased.author_handle, erased.author_id, erased.text) == (TOMBSTONE,) * 3
    assert erased.survey_comment is None and erased.erased_on == "2026-12-06"
    assert (erased.number, erased.state, erased.department) == (1001, "posted", "billing")
    events = history.events(1001)
    assert events[1].detail["text"] == TOMBSTONE and events[1].actor == TOMBSTONE
    assert events[2].detail["text"] == f"called {TOMBSTONE} about {TOMBSTONE}"
    assert events[2].actor == "U0EXP1"
    assert history.get(1002) is not None and history.get(1002).text == "hi"  # type: ignore[union-attr]
    assert history.find_customer("@carol", "") == []


def test_the_migrations_build_exactly_the_models_schema(history: History) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bridge.store.history import Base

    with history.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_the_head_revision_constant_is_the_newest_migration() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from bridge.store.history.engine import HEAD_REVISION, MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION
