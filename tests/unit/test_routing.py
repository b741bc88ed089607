"""Routing: each kind of rule, priorities, the three service models, and reasons for every decision."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bridge.playbook.model import Playbook
from bridge.triage.routing import route

SOCIAL = {"slack_channel": "C0SOCIAL", "approvers": ["U0SOC2"]}


def playbook(departments: dict[str, dict[str, Any]], **extra: Any) -> Playbook:
    data: dict[str, Any] = {
        "brand": {"name": "Acme"},
        "default_department": "social",
        "departments": {"social": SOCIAL, **departments},
    }
    data.update(extra)
    return Playbook.model_validate(data)


def team(**rule: Any) -> dict[str, Any]:
    return {"slack_channel": "C0TEAM", **rule}


# --- one test per kind of rule --------------------------------------------------------------------


def test_keywords_match_whole_words_case_insensitively_and_star_is_a_prefix() -> None:
    book = playbook({"billing": team(keywords=["refund*", "invoice"])})
    assert route(book, "Where is my REFUND?").reasons == ("routed to billing: keyword 'REFUND'",)
    assert route(book, "refunded yet?").department == "billing"
    assert route(book, "invoiced").department == "social"  # whole words only without '*'


def test_phrases_need_their_words_in_order() -> None:
    book = playbook({"billing": team(phrases=["charged twice"])})
    assert route(book, "I was Charged  twice!").reasons == ("routed to billing: phrase 'Charged twice'",)
    assert route(book, "twice charged").department == "social"


def test_regular_expressions_match_anywhere_and_show_what_they_matched() -> None:
    book = playbook({"orders": team(regex=[r"\border\s*#?\d{5,}"])})
    decision = route(book, "about ORDER #88231 please")
    assert decision.department == "orders"
    assert decision.reasons == ("routed to orders: pattern 'ORDER #88231'",)


def test_hashtags_match_with_or_without_the_hash_in_the_playbook() -> None:
    book = playbook({"network": team(hashtags=["TelcoDown", "#outage"])})
    assert route(book, "again #telcodown").department == "network"
    assert route(book, "#Outage in Leeds").reasons == ("routed to network: hashtag '#Outage'",)
    assert route(book, "telcodown").department == "social"


def test_languages_route_to_native_language_teams() -> None:
    book = playbook({"atencion": team(languages=["es"])})
    assert route(book, "hola", language="es").reasons == ("routed to atencion: language es",)
    assert route(book, "hello", language="en").department == "social"
    assert route(book, "hola").department == "social"  # no language known: no match


def test_the_mentioned_account_tells_brand_from_care() -> None:
    book = playbook({"press_office": team(accounts=["main"])})
    decision = route(book, "@Acme hello", accounts=("main",))
    assert decision.reasons == ("routed to press_office: mentions the main brand account",)
    assert route(book, "@AcmeHelp hello", accounts=("care",)).department == "social"


def test_author_lists_and_single_handles() -> None:
    book = playbook(
        {"press_office": team(authors=["press", "@Guardian"])},
        author_lists={"press": ["bbcnews", "@reuters"]},
    )
    assert route(book, "hi", author="BBCNews").reasons == (
        "routed to press_office: author @BBCNews is listed (press, @Guardian)",
    )
    assert route(book, "hi", author="@reuters").department == "press_office"
    assert route(book, "hi", author="guardian").department == "press_office"
    assert route(book, "hi", author="someone").department == "social"


def test_example_phrases_match_when_most_of_their_topic_words_are_there() -> None:
    book = playbook({"stores": team(examples=["is the Leeds store open on Sunday"])})
    decision = route(book, "what time does your store in Leeds open on Sundays?")
    assert decision.department == "stores"
    assert decision.reasons == (
        "routed to stores: like the example 'is the Leeds store open on Sunday' (4 of 4 words)",
    )
    assert route(book, "my Sunday newspaper was late").department == "social"


def test_kinds_send_brand_matters_to_their_team() -> None:
    book = playbook({"press_office": team(kinds=["brand"])})
    assert route(book, "boycott", kind="brand").reasons == ("routed to press_office: a brand matter",)
    assert route(book, "broken", kind="service").department == "social"


def test_every_kind_a_rule_names_must_hold() -> None:
    book = playbook({"billing_es": team(keywords=["factura"], languages=["es"])})
    assert route(book, "mi factura", language="es").reasons == (
        "routed to billing_es: keyword 'factura' and language es",
    )
    assert route(book, "mi factura", language="pt").department == "social"
    assert route(book, "hola", language="es").department == "social"


def test_extra_rules_are_more_ways_in_and_name_themselves() -> None:
    book = playbook(
        {"billing": team(keywords=["refund"], rules=[{"name": "vip-money", "phrases": ["my money"]}])}
    )
    assert route(book, "where is my money").reasons == (
        "routed to billing: phrase 'my money' (rule vip-money)",
    )
    assert route(book, "where is my money").rule == "vip-money"
    unnamed = playbook({"billing": team(rules=[{"keywords": ["refund"]}])})
    assert route(unnamed, "refund").rule == "billing.rules[0]"


# --- order and default -----------------------------------------------------------------------------


def test_first_match_in_playbook_order_when_priorities_tie() -> None:
    book = playbook({"orders": team(keywords=["order"]), "billing": team(keywords=["charged"])})
    assert route(book, "charged twice for my order").department == "orders"


def test_a_higher_priority_wins_and_says_so() -> None:
    book = playbook({"orders": team(keywords=["order"]), "billing": team(keywords=["charged"], priority=10)})
    decision = route(book, "charged twice for my order")
    assert decision.department == "billing"
    assert decision.reasons == ("routed to billing: keyword 'charged', priority 10",)


def test_a_rule_priority_can_beat_its_own_departments() -> None:
    book = playbook(
        {
            "orders": team(keywords=["order"], priority=5),
            "atencion": team(rules=[{"name": "spanish", "languages": ["es"], "priority": 50}]),
        }
    )
    assert route(book, "mi order", language="es").department == "atencion"


def test_nothing_matches_goes_to_the_default_department() -> None:
    book = playbook({"billing": team(keywords=["refund"])})
    assert route(book, "hello").reasons == ("routed to social: no department rule matched (default)",)


def test_the_contract_keywords_route_as_before() -> None:
    book = playbook({"billing": team(keywords=["refund", "invoice", "charged"])})
    assert route(book, "@AcmeHelp I need a refund").department == "billing"
    assert route(book, "@AcmeHelp I need a re-fund").department == "social"


# --- service models --------------------------------------------------------------------------------


def test_concierge_the_matched_department_answers() -> None:
    book = playbook({"billing": team(keywords=["refund"])}, service_model="concierge")
    assert route(book, "refund").department == "billing"


def test_one_stop_the_social_team_answers_everything_and_keeps_the_topic() -> None:
    book = playbook({"billing": team(keywords=["refund"])}, service_model="one_stop")
    decision = route(book, "refund please")
    assert decision.department == "social" and decision.matched == "billing"
    assert decision.reasons == ("topic billing: keyword 'refund'", "one-stop: social answers everything")


def test_hybrid_business_lines_with_a_desk_answer_and_the_rest_falls_to_social() -> None:
    book = playbook(
        {"cargo": team(phrases=["air freight"], own_desk=True), "billing": team(keywords=["refund"])},
        service_model="hybrid",
    )
    cargo = route(book, "my air freight is late")
    assert cargo.department == "cargo"
    assert cargo.reasons == ("routed to cargo: phrase 'air freight' (cargo has its own desk)",)
    billing = route(book, "refund please")
    assert billing.department == "social" and billing.matched == "billing"
    assert billing.reasons[1] == "hybrid: billing has no desk of its own, so social answers"


def test_hybrid_without_a_desk_and_a_desk_outside_hybrid_are_refused() -> None:
    with pytest.raises(ValidationError, match="needs at least one department with own_desk"):
        playbook({"billing": team(keywords=["refund"])}, service_model="hybrid")
    with pytest.raises(ValidationError, match=r"cargo\.own_desk\s+only applies with service_model: hybrid"):
        playbook({"cargo": team(own_desk=True)})


# --- refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ({"regex": ["(unclosed"]}, "invalid regex '(unclosed'"),
        ({"languages": ["english"]}, "not a two-letter language code"),
        ({"accounts": ["brand"]}, "Input should be 'care' or 'main'"),
        ({"kinds": ["complaint"]}, "Input should be 'service' or 'brand'"),
        ({"keywords": ["  "]}, "has no word to look for"),
        ({"authors": ["two words"]}, "neither an author list name nor an @handle"),
        ({"authors": ["vips"]}, "no author list named vips"),
        ({"rules": [{"name": "empty"}]}, "a routing rule needs at least one of"),
        ({"keywrods": ["x"]}, "Extra inputs are not permitted"),
    ],
)
def test_bad_rules_are_refused_with_what_is_wrong(rule: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem.replace("(", r"\(")):
        playbook({"billing": team(**rule)})


# --- never an exception ----------------------------------------------------------------------------

_RICH = playbook(
    {
        "billing": team(keywords=["refund*"], phrases=["charged twice"], examples=["money back please"]),
        "network": team(regex=[r"\b\d{5}\b"], hashtags=["down"], priority=3),
        "atencion": team(languages=["es"], accounts=["care"]),
        "press": team(authors=["press", "@bbc"], kinds=["brand"], own_desk=True),
    },
    author_lists={"press": ["reuters"]},
    service_model="hybrid",
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(st.text(), st.text(alphabet=st.characters(), max_size=2000), st.just("x" * 20_000)),
    language=st.one_of(st.none(), st.text(max_size=3), st.sampled_from(["es", "en", "und"])),
    accounts=st.lists(st.sampled_from(["care", "main", "other"]), max_size=3),
    author=st.text(max_size=30),
    kind=st.one_of(st.none(), st.sampled_from(["service", "brand"]), st.text(max_size=5)),
)
def test_any_text_and_context_get_a_department_and_a_reason(
    text: str, language: str | None, accounts: list[str], author: str, kind: str | None
) -> None:
    decision = route(_RICH, text, language=language, accounts=accounts, author=author, kind=kind)
    assert decision.department in _RICH.departments
    assert decision.reasons and all(decision.reasons)


def test_extra_rules_take_their_departments_priority_unless_they_set_their_own() -> None:
    book = playbook(
        {
            "orders": team(keywords=["order"], priority=5),
            "billing": team(priority=10, rules=[{"keywords": ["charged"]}]),
            "stores": team(priority=20, rules=[{"keywords": ["order"], "priority": 1}]),
        }
    )
    assert route(book, "charged for my order").reasons == (
        "routed to billing: keyword 'charged', priority 10",
    )
    assert route(book, "my order").department == "orders"
