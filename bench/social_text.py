"""The labelled social text the triage benchmarks read (``../shared/data/social-text``), and the
figures they report: precision, recall, F1 and the three headline shares."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bridge.triage.triager import TriageInput

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "social-text"
COMPLAINTS = DATA / "complaints-dev" / "complaints-dev.csv"
TWEETEVAL = DATA / "tweeteval-sentiment"
IBM = DATA / "ibm-twitter-customer-care"
CONTROL = "random_tweet"


@dataclass(frozen=True)
class Post:
    text: str
    source: str  # "ibm", "complaint", "other", "random_tweet", "random_reply", "tweeteval"
    group: str = ""  # posts of one group (an IBM conversation, one tweet) are never split across folds

    @property
    def needs_person(self) -> int:
        """1 where a person should look for sure (a customer answered, a complaint), 0 for controls."""
        return 1 if self.source in ("ibm", "complaint") else 0


def load_complaints() -> list[Post]:
    with COMPLAINTS.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return [
        Post(
            text,
            "complaint" if label == "1" else domain if domain.startswith("random") else "other",
            f"complaints:{tweet_id}",
        )
        for tweet_id, text, label, domain in rows
    ]


def load_ibm_first_messages() -> list[Post]:
    posts = []
    for name in ("dev.json", "test.json"):
        for n, conversation in enumerate(json.loads((IBM / name).read_text(encoding="utf-8"))):
            first = next((m for m in conversation["dialogContent"] if "client" in m), None)
            if first is not None:
                posts.append(Post(first["message"], "ibm", f"ibm:{name}:{n}"))
    return posts


def load_tweeteval() -> list[tuple[str, int]]:
    texts = (TWEETEVAL / "val_text.txt").read_text(encoding="utf-8").splitlines()
    labels = (TWEETEVAL / "val_labels.txt").read_text(encoding="utf-8").split()
    return [(text, int(label)) for text, label in zip(texts, labels, strict=True)]


def as_input(text: str) -> TriageInput:
    return TriageInput(text=text, author_id="0", author_handle="someone")


def prf(pred: Sequence[bool], gold: Sequence[int]) -> tuple[float, float, float]:
    tp = sum(1 for p, g in zip(pred, gold, strict=True) if p and g)
    fp = sum(1 for p, g in zip(pred, gold, strict=True) if p and not g)
    fn = sum(1 for p, g in zip(pred, gold, strict=True) if not p and g)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def headline(carded: Sequence[bool], posts: Sequence[Post]) -> tuple[float, float, float]:
    """(a) IBM share carded, (b) complaint recall, (c) false alarms on the random_tweet controls."""

    def of(source: str) -> list[bool]:
        return [c for c, p in zip(carded, posts, strict=True) if p.source == source]

    return share(of("ibm")), share(of("complaint")), share(of(CONTROL))
