"""A Teams command's people become the core's neutral ``<@ID>`` tokens, whatever form Teams gave them."""

from __future__ import annotations

import pytest

from adapters.teams.people import person_tokens

ERIN = "00000000-0000-4000-8000-00000000e001"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (f"assign 1042 {ERIN}", f"assign 1042 <@{ERIN}>"),
        (f"assign 1042 {ERIN.upper()}", f"assign 1042 <@{ERIN}>"),  # Teams sends aadObjectId lower-case
        (f"assign 1042 <@{ERIN}>", f"assign 1042 <@{ERIN}>"),  # already a token: left alone
        ("assign 1042 <@29:1abc-Xy_Z>", "assign 1042 <@29:1abc-Xy_Z>"),
        (f"assign 1042 29:{ERIN}", f"assign 1042 29:{ERIN}"),  # part of an account id, not an object id
        (f"ignore 1042 order {ERIN}x", f"ignore 1042 order {ERIN}x"),  # part of a longer word
    ],
)
def test_an_entra_object_id_typed_as_a_word_becomes_a_person_token(typed: str, expected: str) -> None:
    assert person_tokens(typed) == expected


def test_a_mention_split_into_one_tag_per_name_is_one_person() -> None:
    assert person_tokens("assign 1042 <@29:erin> <@29:erin>") == "assign 1042 <@29:erin>"
    assert person_tokens("assign 1042 <@29:a> <@29:a> <@29:a> now") == "assign 1042 <@29:a> now"


def test_two_different_people_stay_two() -> None:
    assert person_tokens("assign 1042 <@29:a> <@29:b>") == "assign 1042 <@29:a> <@29:b>"
