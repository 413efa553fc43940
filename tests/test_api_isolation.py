"""Every API list, walked page by page as each persona of the URL matrix, holds nothing of another client's."""

import pytest
from django.test import Client
from django.urls import reverse

from api.tests.factories import token_for

from .url_access import OWN_CLIENT, TEAM

# Each list, and the world's objects it would show (their ids as the list gives them).
LISTS = {
    "api:client_list": lambda world, side: [world[side + "client_profile"].organization_id],
    "api:engagement_list": lambda world, side: [world[side + "engagement"].pk],
    "api:stage_list": lambda world, side: [world[side + "stage"].pk],
    "api:item_list": lambda world, side: [world[side + "item"].pk, world[side + "done_item"].pk],
    "api:stakeholder_list": lambda world, side: [world[side + "stakeholder"].pk],
    "api:flag_list": lambda world, side: [world[side + "flag"].pk],
    "api:promise_list": lambda world, side: [world[side + "client_promise"].pk],
    "api:meeting_list": lambda world, side: [world[side + "meeting"].pk],
    "api:action_item_list": lambda world, side: [world[side + "outcome"].pk],
    "api:document_list": lambda world, side: [world[side + "document"].pk],
    "api:quality_report_list": lambda world, side: [world[side + "quality_report"].pk],
}
# Whose objects each persona must never meet: the other client's (the portfolio roles see every client).
FOREIGN = dict.fromkeys(TEAM | OWN_CLIENT, "other_") | {"other_client_user": "", "other_csm": ""}


def _walk(client, url):
    ids = []
    while url:
        response = client.get(url, {"page_size": 2} if "cursor=" not in url else None)
        assert response.status_code == 200, (url, response.status_code)
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
    return ids


@pytest.mark.django_db
def test_no_list_shows_another_clients_rows(world):
    for role, side in FOREIGN.items():
        user = world["personas"][role]
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        for name, objects in LISTS.items():
            seen = set(_walk(client, reverse(name)))
            assert not seen & set(objects(world, side)), f"{role} sees another client's rows in {name}"
            own = "" if side == "other_" else "other_"
            assert seen >= set(objects(world, own)), f"{role} misses their own client's rows in {name}"


@pytest.mark.django_db
def test_sla_figures_count_nothing_of_another_clients(world):
    for role, side in FOREIGN.items():
        user = world["personas"][role]
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        body = client.get(reverse("api:sla"), {"scope": "engagement"}).json()
        foreign = world[side + "engagement"].pk
        assert foreign not in {row["scope_id"] for row in body["rows"]}, f"{role} reads another client's SLA"
