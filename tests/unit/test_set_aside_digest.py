"""The digest as notices: five cases a notice so each case's words sit by its button, the rest counted."""

from __future__ import annotations

from datetime import UTC, datetime

from bridge.app.set_aside_digest import CASES_PER_NOTICE, digest_notices
from bridge.flow.set_aside import NEEDS_ANSWER, Digest, DigestEntry

AT = datetime(2025, 3, 31, 10, 30, tzinfo=UTC)


def entry(number: int) -> DigestEntry:
    return DigestEntry(
        number, f"fan{number}", f"great stuff <!channel> {number}", "noise, tagged", "social", "en"
    )


def test_twelve_cases_make_three_notices_each_case_with_its_own_button_and_the_rest_counted() -> None:
    digest = Digest(datetime(2025, 3, 31, 9, 30, tzinfo=UTC), AT, tuple(entry(n) for n in range(1, 13)), 8)
    notices = digest_notices(digest)
    assert [len(n.quotes) for n in notices] == [CASES_PER_NOTICE, CASES_PER_NOTICE, 2]
    assert notices[0].title == "Set aside since 09:30 UTC: 20 cases"
    assert notices[1].title.endswith("(continued)")
    assert [b.value for n in notices for b in n.buttons] == [str(n) for n in range(1, 13)]
    assert {b.action for n in notices for b in n.buttons} == {NEEDS_ANSWER}
    assert notices[-1].context == "8 more set aside and not listed here." and notices[0].context == ""
    # customers' words go only where adapters render them inert: the quotes
    assert all("<!channel>" not in n.text + n.title + n.context for n in notices)
    assert "#1 from @fan1 (noise, tagged, in en): great stuff <!channel> 1" in notices[0].quotes[0]


def test_an_empty_digest_makes_no_notice() -> None:
    assert digest_notices(Digest(None, AT, (), 0)) == []
