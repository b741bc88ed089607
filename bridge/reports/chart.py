"""The report's chart: cases per day over the period, rendered offline by matplotlib as a small PNG
(small enough to go inline in a Teams card, well under its 28 KB)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from functools import cache
from typing import Any

__all__ = ["CHART_DPI", "new_figure", "volume_chart", "warm_up"]

CHART_DPI = 72
_SIZE_INCHES = (6.0, 2.2)
_BAR = "#4a7bb7"


def new_figure(size_inches: tuple[float, float], dpi: int = CHART_DPI) -> Any:
    """A matplotlib ``Figure`` drawn offline, without pyplot: no process-wide figure state, so threads
    may draw at once. matplotlib is imported here, on first use: only what draws pays for it."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    matplotlib.rcParams["svg.fonttype"] = "none"  # SVG text stays text: no glyph paths, no font to load
    matplotlib.rcParams["svg.hashsalt"] = "bridge"  # the same chart draws the same SVG
    from matplotlib.figure import Figure

    return Figure(figsize=size_inches, dpi=dpi)


def volume_chart(daily: Mapping[str, int], title: str) -> bytes:
    """A bar chart of ``daily`` (YYYY-MM-DD → cases) as PNG bytes."""
    figure = new_figure(_SIZE_INCHES)
    axes = figure.add_subplot()
    days = list(daily)
    axes.bar(range(len(days)), [daily[d] for d in days], color=_BAR)
    step = max(1, len(days) // 8)
    axes.set_xticks(range(0, len(days), step), [d[5:] for d in days[::step]], fontsize=8)
    axes.tick_params(axis="y", labelsize=8)
    axes.set_title(title, fontsize=9)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=CHART_DPI, metadata={"Software": None})
    return out.getvalue()


@cache
def warm_up() -> None:
    """Import and exercise matplotlib once (about a second, cold), so the first ``/bridge report``
    answers within Slack's three seconds: the web process calls this in the background at start, and
    a second web app in the same process (tests) finds it done."""
    volume_chart({"2026-01-01": 1}, "warm-up")
