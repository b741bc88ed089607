"""Closed cases from the history as CSV or JSON lines, streamed: rows are read in batches and written
as they come (``bridge export cases``; the dashboard's download uses the same writer), so exporting a
year of cases never holds them all in memory. Times are ISO 8601 UTC.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import fields
from datetime import datetime
from operator import attrgetter
from typing import Any, TextIO

from bridge.store.history import CaseFacts

__all__ = ["COLUMNS", "FORMATS", "csv_lines", "jsonl_lines", "write_cases"]

COLUMNS = tuple(f.name for f in fields(CaseFacts))
FORMATS = ("csv", "jsonl")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def jsonl_lines(rows: Iterable[CaseFacts]) -> Iterator[str]:
    for row in rows:
        yield json.dumps({name: _plain(getattr(row, name)) for name in COLUMNS}, ensure_ascii=False) + "\n"


class _Line:
    """A file-like target for csv.writer that hands back what was written."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text = text
        return len(text)


def csv_lines(rows: Iterable[CaseFacts]) -> Iterator[str]:
    """RFC 4180 CSV, a header first. A cell that starts like a formula (=, +, -, @) is prefixed with
    an apostrophe, so customers' words cannot run as formulas in a spreadsheet."""
    line = _Line()
    writer = csv.writer(line, lineterminator="\n")
    writer.writerow(COLUMNS)
    yield line.text
    values = attrgetter(*COLUMNS)
    for row in rows:
        writer.writerow([_cell(value) for value in values(row)])
        yield line.text


_FORMULA = frozenset("=+-@\t\r")


def _cell(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return "'" + value if value and value[0] in _FORMULA else value
    if value is None:
        return ""
    return value.isoformat() if kind is datetime else value


def write_cases(rows: Iterable[CaseFacts], form: str, out: TextIO) -> int:
    """Write ``rows`` in ``form`` (csv or jsonl) to ``out``; returns how many cases were written."""
    count = 0
    lines = csv_lines(rows) if form == "csv" else jsonl_lines(rows)
    for index, text in enumerate(lines):
        out.write(text)
        count = index if form == "csv" else index + 1
    return count
