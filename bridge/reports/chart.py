"""The report's chart: cases per day over the period, rendered offline by matplotlib as a small PNG
(small enough to go inline in a Teams card, well under its 28 KB)."""

from __future__ import annotations

import io
from collections.abc import Mapping

__all__ = ["CHART_DPI", "volume_chart", "warm_up"]

CHART_DPI = 72
_SIZE_INCHES = (6.0, 2.2)
_BAR = "#4a7bb7"


def volume_chart(daily: Mapping[str, int], title: str) -> bytes:
    """A bar chart of ``daily`` (YYYY-MM-DD → cases) as PNG bytes."""
    import matplotlib  # heavy: only the report that draws pays for it

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    figure = Figure(figsize=_SIZE_INCHES, dpi=CHART_DPI)
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


def warm_up() -> None:
    """Import and exercise matplotlib once (about a second, cold), so the first ``/bridge report``
    answers within Slack's three seconds: the web process calls this in the background at start."""
    volume_chart({"2026-01-01": 1}, "warm-up")
