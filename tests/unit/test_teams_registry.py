"""What the bridge remembers of Teams (on real Redis): resolving a playbook's ``teams_channel`` by id,
name or Team/Channel, the threads of posted cards, and who is who."""

from __future__ import annotations

import pytest

from adapters.teams.people import TeamsPeople
from adapters.teams.registry import ChannelUnknown, PostedMessage, TeamsRegistry, split_thread, thread_id
from bridge.store.cases import Store

URL = "https://smba.trafficmanager.net/amer/"
TEAM, OTHER = "19:care@thread.tacv2", "19:shop@thread.tacv2"


@pytest.fixture
def registry(store: Store) -> TeamsRegistry:
    registry = TeamsRegistry(store.r, store.prefix)
    registry.record_team(TEAM, name="Acme Care", service_url=URL, tenant_id="t1")
    registry.record_channel(TEAM, "19:billing@thread.tacv2", "Billing")
    registry.record_channel(TEAM, "19:general-shop@thread.tacv2", "Escalations")
    registry.record_team(OTHER, name="Acme Shop", service_url=URL, tenant_id="t1")
    registry.record_channel(OTHER, "19:esc@thread.tacv2", "Escalations")
    return registry


def test_a_channel_resolves_by_id_name_or_team_and_name(registry: TeamsRegistry) -> None:
    assert registry.resolve("19:billing@thread.tacv2").name == "Billing"
    assert registry.resolve("billing").id == "19:billing@thread.tacv2"
    assert registry.resolve("#Billing").service_url == URL
    assert registry.resolve("Acme Shop/Escalations").id == "19:esc@thread.tacv2"


def test_general_is_the_teams_own_id(registry: TeamsRegistry) -> None:
    general = registry.resolve("Acme Care/General")
    assert general.id == TEAM and general.team_name == "Acme Care"


def test_an_ambiguous_name_asks_for_the_team(registry: TeamsRegistry) -> None:
    with pytest.raises(ChannelUnknown, match=r"ambiguous.*Acme Care/Escalations.*Acme Shop/Escalations"):
        registry.resolve("Escalations")


def test_an_unknown_channel_says_what_to_do_and_what_is_known(registry: TeamsRegistry) -> None:
    with pytest.raises(ChannelUnknown, match=r"add the bridge to its team first.*Acme Care/Billing"):
        registry.resolve("Legal")


def test_renames_and_deletions_follow_teams(registry: TeamsRegistry) -> None:
    registry.record_channel(TEAM, "19:billing@thread.tacv2", "Payments")
    registry.record_channel(TEAM, "19:billing@thread.tacv2")  # a message from it: the name is kept
    assert registry.resolve("payments").id == "19:billing@thread.tacv2"
    registry.record_team(TEAM, name="Acme Customer Care")
    assert registry.resolve("Acme Customer Care/Payments").service_url == URL
    registry.forget_channel(TEAM, "19:billing@thread.tacv2")
    with pytest.raises(ChannelUnknown):
        registry.resolve("Payments")
    registry.forget_team(OTHER)
    assert registry.resolve("Escalations").team_id == TEAM


def test_a_cards_thread_leads_back_to_the_address_the_core_uses(registry: TeamsRegistry) -> None:
    posted = PostedMessage("19:billing@thread.tacv2", URL)
    registry.remember_message("Acme Care/Billing", "1700000000001", posted, root=True)
    registry.remember_message("Acme Care/Billing", "1700000000002", posted, root=False)
    assert registry.posted("Acme Care/Billing", "1700000000001") == posted
    channel, root = split_thread(thread_id(posted.conversation, "1700000000001"))
    assert registry.address_of(channel, root) == "Acme Care/Billing"
    assert registry.address_of(channel, "1700000000002") is None  # a reply is no thread of its own


def test_conversations_remember_their_service_url_and_tenant(registry: TeamsRegistry) -> None:
    registry.note_conversation("a:personal-chat", "https://smba.trafficmanager.net/emea/", "t2")
    assert registry.service_url_of("a:personal-chat") == "https://smba.trafficmanager.net/emea/"
    assert registry.tenant_of("a:personal-chat") == "t2"
    assert registry.service_url_of("19:billing@thread.tacv2;messageid=17") == URL  # via its team
    assert registry.service_url_of("19:nowhere@thread.tacv2") == ""


def test_people_are_known_by_entra_id_and_account(store: Store) -> None:
    people = TeamsPeople(store.r, store.prefix)
    assert people.remember("29:erin", "aad-erin", "Erin Expert") == "aad-erin"
    assert people.name_of("aad-erin") == "Erin Expert"
    assert people.user_of("29:erin") == "aad-erin"
    person = people.get("29:erin")
    assert person is not None and person.user == "aad-erin" and person.account == "29:erin"
    assert people.name_of("U0SLACK") == "U0SLACK" and people.get("U0SLACK") is None
    assert people.remember("29:guest") == "29:guest"  # no Entra id: the account is the id


def test_a_renamed_channel_still_answers_to_its_old_names(registry: TeamsRegistry) -> None:
    registry.record_channel(TEAM, "19:billing@thread.tacv2", "Billing EU")
    registry.record_channel(TEAM, "19:billing@thread.tacv2", "Payments")
    for old in ("Billing", "Acme Care/Billing", "billing eu", "Acme Care/Billing EU"):
        assert registry.resolve(old).id == "19:billing@thread.tacv2"
    registry.record_team(TEAM, name="Acme Support")
    for old in ("Acme Care/Billing", "Acme Support/Billing", "Acme Care/Payments", "Acme Care/General"):
        assert registry.resolve(old).team_id == TEAM
    assert registry.resolve("Acme Support/Payments").qualified == "Acme Support/Payments"


def test_an_old_name_gives_way_to_a_channel_called_that_now(registry: TeamsRegistry) -> None:
    registry.record_channel(TEAM, "19:billing@thread.tacv2", "Billing EU")
    registry.record_channel(TEAM, "19:billing-new@thread.tacv2", "Billing")
    assert registry.resolve("Acme Care/Billing").id == "19:billing-new@thread.tacv2"
    assert registry.resolve("Billing").id == "19:billing-new@thread.tacv2"
    registry.record_channel(TEAM, "19:billing@thread.tacv2", "Billing")  # renamed back: its own name again
    with pytest.raises(ChannelUnknown, match="ambiguous"):
        registry.resolve("Billing")
    registry.forget_channel(TEAM, "19:billing-new@thread.tacv2")
    assert registry.resolve("Billing EU").id == "19:billing@thread.tacv2"
    registry.forget_channel(TEAM, "19:billing@thread.tacv2")
    with pytest.raises(ChannelUnknown):
        registry.resolve("Billing EU")
