"""The JSON-lines files retention exports (``audit: export``) hold customers' words too: an erasure
finds the customer's cases there and rewrites every file without their words and identity."""

from __future__ import annotations

import json
import os
from collections.abc import Collection
from pathlib import Path

from bridge.store.scrub import Needles, Scrubber

__all__ = ["find_in_exports", "scrub_exports"]

_TEXT_ACTIONS = {"customer_follow_up": "post_id", "customer_dm": "dm_id"}


def find_in_exports(folder: Path, handle: str, ids: Collection[str], needles: Needles) -> list[int]:
    """Exported cases by the customer (their handle or one of their user ids); their words, names and
    ids join ``needles``."""
    found = []
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line) if line.strip() else {}
            facts = record.get("facts") if isinstance(record, dict) else None
            if not isinstance(facts, dict):
                continue
            by_handle = handle and facts.get("author_handle", "").casefold() == handle.casefold()
            if not (by_handle or facts.get("author_id") in ids):
                continue
            found.append(int(record["case"]))
            needles.add("text", facts.get("text", ""))
            needles.add("handle", facts.get("author_handle", ""))
            needles.add("name", facts.get("author_name", ""))
            for name in ("author_id", "post_id", "post_url", "reply_to"):
                needles.add("id", facts.get(name, ""))
            for entry in record.get("timeline", []):
                id_field = _TEXT_ACTIONS.get(entry.get("action", ""))
                if id_field:
                    needles.add("text", entry.get("text", ""))
                    needles.add("id", entry.get(id_field, ""))
    return found


def scrub_exports(folder: Path, scrub: Scrubber) -> int:
    """Rewrite every exported file with the needles replaced; returns the lines changed."""
    changed = 0
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        lines = path.read_text(encoding="utf-8").splitlines()
        new = [scrub.text(line) for line in lines]
        touched = sum(a != b for a, b in zip(lines, new, strict=True))
        if not touched:
            continue
        temporary = path.with_suffix(".jsonl.tmp")
        with temporary.open("w", encoding="utf-8") as out:
            out.write("".join(line + "\n" for line in new))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
        changed += touched
    return changed
