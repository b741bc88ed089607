"""Crisis records as the core renders them into notices, for the card tests of every chat platform."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import strategies as st

from bridge.crisis.alerts import Alert
from bridge.crisis.detector import Example, Explanation
from bridge.crisis.ports import Notice, NoticeButton

RAISED = datetime(2025, 3, 3, 14, 4, tzinfo=UTC)


def explanation(text: str = "my kettle is on the recall list", handle: str = "maria_k") -> Explanation:
    return Explanation(
        topic="recall",
        label="recall",
        count=12,
        window_minutes=15,
        expected=0.25,
        baseline_hourly=1.0,
        baseline_source="all hours",
        baseline_weeks=6,
        slot="Mon 14:00–15:00 UTC",
        negative_share=0.75,
        baseline_negative_share=0.1,
        reach=48_000,
        reasons=("12 mentions in 15 min ≥ 4× the usual 0.2 and ≥ 12",),
        examples=(Example(handle, 12_300, text, "https://x.com/maria_k/status/1", 1042),),
    )


def alert(state: str = "open", **changes: object) -> Alert:
    values: dict[str, object] = {
        "id": 3,
        "topic": "recall",
        "label": "recall",
        "state": state,
        "raised_at": RAISED,
        "last_count": 12,
        "peak_count": 12,
        "quiet_since": None,
        "explanation": explanation(),
        "card": None,
    }
    values.update(changes)
    return Alert(**values)  # type: ignore[arg-type]


@st.composite
def any_notices(draw: st.DrawFn) -> Notice:
    """Any notice the core might hand an adapter: huge, empty or hostile text in every part."""
    text = draw(st.text(max_size=6000))
    label = draw(st.text(max_size=100))
    return Notice(
        title=draw(st.text(max_size=400)),
        text=text,
        fields=tuple(draw(st.lists(st.tuples(st.text(max_size=50), st.text(max_size=3000)), max_size=12))),
        quotes=tuple(draw(st.lists(st.text(max_size=4000), max_size=8))),
        preview=draw(st.text(max_size=6000)),
        links=(("https://x.com/search?q=a", label),),
        context=text[:500],
        buttons=(NoticeButton("approve_statement", label or "Approve", "1:2", "primary"),),
        key="statement:1:2",
    )
