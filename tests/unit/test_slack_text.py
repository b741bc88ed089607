from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from adapters.slack.text import CUT_MARKER, cut, escape, escape_keeping_people, from_slack


def test_control_sequences_from_customers_become_inert() -> None:
    hostile = "<!channel> <@U123> <https://evil|click> & <!here|here>"
    escaped = escape(hostile)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.startswith("&lt;!channel&gt; &lt;@U123&gt;")
    assert "&amp;" in escaped


def test_bridge_text_keeps_people_references_but_not_broadcasts() -> None:
    text = escape_keeping_people("<@U0APP1> approved; <!channel> <https://x|y>")
    assert text.startswith("<@U0APP1> approved")
    assert "&lt;!channel&gt;" in text and "&lt;https://x|y&gt;" in text


def test_long_text_is_cut_with_a_marker_within_the_limit() -> None:
    text = "&" * 5000
    out = cut(text, 3000)
    assert len(out) <= 3000
    assert out.endswith(CUT_MARKER.format(n=5000 - out.count("&amp;")))
    assert "&am" not in out.replace("&amp;", "")  # no entity split in half


@given(st.text(max_size=6000), st.integers(min_value=200, max_value=4000))
def test_cut_never_exceeds_its_limit_and_never_leaves_a_live_bracket(text: str, limit: int) -> None:
    out = cut(text, limit)
    assert len(out) <= limit
    assert "<" not in out and ">" not in out


def test_slack_markup_in_a_thread_reply_becomes_the_plain_text_to_post() -> None:
    raw = (
        "Hi &lt;3 see <https://acme.example/refunds|acme.example/refunds> or "
        "<mailto:help@acme.example|help@acme.example> &amp; thanks"
    )
    assert from_slack(raw) == "Hi <3 see acme.example/refunds or help@acme.example & thanks"
    assert from_slack("ping <#C0BILLING|billing>") == "ping #billing"
    assert from_slack("<https://acme.example>") == "https://acme.example"


def test_a_link_with_its_own_text_keeps_the_address_for_the_customer() -> None:
    assert from_slack("see <https://acme.example/refund|our refund page>") == (
        "see our refund page https://acme.example/refund"
    )
    assert from_slack("<http://Acme.example/refund/|acme.example/refund>") == "acme.example/refund"
