"""Triage says whether a person should look: every customer who asks, needs help or reports a problem.

The posts are invented for these tests (none is taken from a data set). Each verdict class has its own
examples: respond (questions, requests, problem reports, in several languages), noise (praise, thanks,
chatter), ignore (spam, bots) and monitor (trolls).
"""

from __future__ import annotations

import pytest

from bridge.playbook.triage_rules import TriageRules
from bridge.triage.triager import Polarity, Triage, TriageInput, Triager, Verdict


@pytest.fixture(scope="module")
def triager() -> Triager:
    return Triager()


def triaged(triager: Triager, text: str, **extra: object) -> Triage:
    return triager.triage(TriageInput(text=text, author_id="7", author_handle="pat", **extra))  # type: ignore[arg-type]


# The six kinds of post the old complaint detector set aside, in our own words.
SET_ASIDE_BEFORE = [
    "@SkyHopHelp I booked two legs but the confirmation mail only lists the first one. A bit of help?",
    "@PixelCare the rear lens on my phone has gone all misty. What might be causing that?",
    "@ShopNorth do you deliver to Portugal?",
    "@ParcelPal your driver dropped my box on the doorstep in a downpour",
    "@AcmeHelp is the Kings Road shop open on Saturday?",
    "@AcmeHilfe Ich möchte bitte mein Geld für die zurückgeschickte Jacke zurück",
]


@pytest.mark.parametrize("text", SET_ASIDE_BEFORE)
def test_a_customer_who_asks_or_reports_a_problem_gets_a_person(triager: Triager, text: str) -> None:
    result = triaged(triager, text)
    assert result.verdict is Verdict.RESPOND
    assert result.gets_card
    assert result.reasons[0].startswith(("asks for a person", "needs a reply", "written in"))


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("@AcmeHelp where is my order from last week?", "need.question"),
        ("@AcmeHelp how do I change the address on my account", "need.question_opening"),
        ("@AcmeHelp any advice on getting the stain off the sofa cover", "need.help"),
        ("@AcmeHelp I want to cancel my subscription", "need.request"),
        ("@AcmeHelp the screen on my new tablet keeps flickering", "need.problem"),
        ("@AcmeHelp the zip on my coat is broken after two days", "need.problem"),
    ],
)
def test_the_card_names_what_the_customer_asks_for(triager: Triager, text: str, rule: str) -> None:
    result = triaged(triager, text)
    assert result.verdict is Verdict.RESPOND
    assert rule in result.needs
    assert any(rule in reason for reason in result.reasons)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("@AcmeAyuda hola, ¿cuándo llega mi pedido? Lo compré hace una semana", "es"),
        ("@AcmeAyuda necesito ayuda, no puedo entrar en mi cuenta desde ayer", "es"),
        ("@AcmeHilfe Hallo, wann kommt meine Bestellung endlich an? Ich warte seit Tagen", "de"),
        ("@AcmeHilfe Mein Drucker funktioniert nicht mehr, können Sie mir helfen?", "de"),
    ],
)
def test_spanish_and_german_requests_get_a_person_and_no_made_up_sentiment(
    triager: Triager, text: str, code: str
) -> None:
    result = triaged(triager, text)
    assert result.language == code
    assert result.verdict is Verdict.RESPOND
    assert result.needs  # the card says what was asked, not only "another language"
    assert result.polarity is Polarity.UNKNOWN and not result.sentiment_known
    assert any(r.startswith("sentiment unknown") for r in result.reasons)


def test_english_keeps_its_sentiment(triager: Triager) -> None:
    result = triaged(triager, "@AcmeHelp this is the worst service I have ever had, my parcel is ruined")
    assert result.language == "en"
    assert result.polarity is Polarity.NEGATIVE and result.sentiment < 0


@pytest.mark.parametrize(
    "text",
    [
        "@AcmeHelp thank you so much, the new kettle is lovely",
        "@AcmeHelp you lot are brilliant, great job on the quick delivery",
        "@AcmeHelp cheers!",
        "Sunny afternoon in the park with a good book",
    ],
)
def test_praise_thanks_and_chatter_that_ask_nothing_are_noise(triager: Triager, text: str) -> None:
    result = triaged(triager, text)
    assert result.verdict is Verdict.NOISE
    assert not result.gets_card and not result.needs


def test_a_rhetorical_question_to_nobody_is_chatter(triager: Triager) -> None:
    assert triaged(triager, "Who even watches this show anymore?").verdict is Verdict.NOISE


def test_an_advertisement_that_asks_is_noise(triager: Triager) -> None:
    result = triaged(triager, "Craving something sweet? Try our new cookies with @AcmeFoods #ad")
    assert result.verdict is Verdict.NOISE
    assert any("noise.promotion" in reason for reason in result.reasons)


def test_spam_and_bots_are_ignored_even_when_they_ask(triager: Triager) -> None:
    spam = triaged(triager, "@AcmeHelp want to double your bitcoin? claim your airdrop https://x.example/a")
    assert spam.verdict is Verdict.IGNORE and not spam.gets_card
    bot = Triager(TriageRules(ignore_authors=["statusbot"])).triage(
        TriageInput(text="@AcmeHelp is the site down?", author_id="9", author_handle="statusbot")
    )
    assert bot.verdict is Verdict.IGNORE


def test_a_troll_is_monitored_not_answered(triager: Triager) -> None:
    result = triaged(triager, "@AcmeHelp you are all idiots, why does anyone shop here?")
    assert result.verdict is Verdict.MONITOR
    assert result.gets_card and not result.needs


def test_an_abusive_customer_with_a_real_problem_still_reaches_a_person(triager: Triager) -> None:
    result = triaged(triager, "@AcmeHelp you morons, my washing machine is leaking all over the floor")
    assert result.verdict is Verdict.RESPOND
    assert any(r.startswith("abusive, but reports a problem") for r in result.reasons)
