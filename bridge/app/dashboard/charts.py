"""The dashboard's charts as inline SVG, drawn by matplotlib on the server.

Nothing is fetched by the browser: no chart script, no font (text stays ``<text>`` in the page's own
font). Labels are the playbook's names and numbers, never a customer's words.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from bridge.reports.chart import new_figure

__all__ = ["DAYS", "heat_map_svg", "trend_svg"]

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # inline: no XML prolog or DOCTYPE inside the page


def trend_svg(daily: Mapping[str, int], title: str) -> str:
    """Cases per day as a line."""
    figure = new_figure((8, 2.4))
    axes = figure.add_subplot()
    days = list(daily)
    axes.plot(range(len(days)), [daily[d] for d in days], marker="o", markersize=2, color="#2d6fa3")
    step = max(1, len(days) // 8)
    axes.set_xticks(range(0, len(days), step), [days[i][5:] for i in range(0, len(days), step)])
    axes.set_ylabel("cases")
    axes.set_ylim(bottom=0)
    axes.set_title(title, fontsize=10)
    axes.grid(alpha=0.3)
    return _svg(figure)


def heat_map_svg(per_hour: Sequence[float], title: str) -> str:
    """168 values (Monday 00:00 first) as a days × hours grid."""
    grid = [list(per_hour[day * 24 : day * 24 + 24]) for day in range(7)]
    figure = new_figure((8, 2.6))
    axes = figure.add_subplot()
    image = axes.imshow(grid, aspect="auto", cmap="Blues")
    axes.set_yticks(range(7), list(DAYS))
    axes.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    axes.set_xlabel("hour of day (the desk's time zone)")
    axes.set_title(title, fontsize=10)
    figure.colorbar(image, ax=axes, label="cases")
    return _svg(figure)
