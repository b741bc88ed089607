"""``bridge playbook test`` shows what triage decided about a mention: what it asks, and honest sentiment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bridge.cli import main
from tests.conftest import ROOT

RETAILER = ROOT / "playbooks" / "retailer.yml"


def test_the_dry_run_says_what_a_customer_asks_and_that_foreign_sentiment_is_unknown(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    mentions = tmp_path / "mentions.jsonl"
    mentions.write_text(
        json.dumps({"text": "@NorthwindHelp Hallo, wann kommt meine Bestellung? Ich warte seit Tagen"})
        + "\n",
        encoding="utf-8",
    )
    code = main(["playbook", "test", str(RETAILER), str(mentions), "--json"])
    row = json.loads(capsys.readouterr().out.splitlines()[0])
    assert code == 0 and row["verdict"] == "respond" and row["language"] == "de"
    assert (row["sentiment"], row["polarity"]) == (None, "unknown")
    assert "need.question" in row["needs"]
    assert main(["playbook", "test", str(RETAILER), str(mentions)]) == 0
    out = capsys.readouterr().out
    assert "sentiment unknown" in out and "asks (need.question" in out
