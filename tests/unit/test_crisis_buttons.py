"""The crisis buttons' contract with every chat adapter: what a value names, where each button sits."""

from __future__ import annotations

import pytest

from bridge.crisis.buttons import ACTIONS, EDITS, NOTICE_OF, PRESSES, button_ids, press
from bridge.domain.errors import MalformedButton, NotAllowed


def test_a_value_names_an_alert_or_an_incident_and_version() -> None:
    assert button_ids("3") == (3, 0)
    assert button_ids("3:2") == (3, 2)


@pytest.mark.parametrize("value", ["", "x", "3:x", ":2", "alert 3"])
def test_a_value_that_names_nothing_is_malformed_and_still_a_refusal(value: str) -> None:
    with pytest.raises(MalformedButton) as raised:
        button_ids(value)
    assert isinstance(raised.value, NotAllowed), "adapters that only tell refusals tell this one too"


def test_every_button_either_acts_or_edits_and_sits_on_one_notice() -> None:
    assert set(PRESSES) | set(EDITS) == set(ACTIONS) and not set(PRESSES) & set(EDITS)
    assert set(NOTICE_OF.values()) == {"alert", "statement", "bulk"}
    assert all(NOTICE_OF[action] == what for action, what in EDITS.items())


def test_an_edit_button_is_not_pressed_like_the_others() -> None:
    with pytest.raises(MalformedButton):
        press(None, "edit_statement", "1:1", "U1")  # type: ignore[arg-type]
