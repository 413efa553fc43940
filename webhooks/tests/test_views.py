"""The staff pages: a CSM manages their client's endpoints, refused addresses are shown on the form, another
client's endpoint answers 404, the delivery log shows each attempt's outcome."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from accounts.tests.factories import OrganizationFactory, UserFactory

from .. import network
from ..models import Delivery, DeliveryStatus, Endpoint, Event
from .factories import EndpointFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def director():
    return UserFactory(director=True)


def test_a_director_adds_an_organization_wide_endpoint(client, director, monkeypatch):
    monkeypatch.setattr(network, "resolve", lambda host, port: ["93.184.215.14"])
    client.force_login(director)
    response = client.post(
        reverse("webhooks:endpoint_new"),
        {
            "url": "https://crm.example.com/hooks",
            "event_types": ["engagement.created", "stage.rejected"],
            "enabled": "on",
        },
    )
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == endpoint.get_absolute_url()
    assert (endpoint.organization, endpoint.created_by) == (None, director)
    assert endpoint.secret.startswith("whsec_")
    page = client.get(endpoint.get_absolute_url()).content.decode()
    assert endpoint.secret in page


def test_a_loopback_url_is_refused_on_the_form(client, director):
    client.force_login(director)
    response = client.post(
        reverse("webhooks:endpoint_new"), {"url": "http://127.0.0.1:6379/", "event_types": ["engagement.created"]}
    )
    assert response.status_code == 200
    assert "private or reserved address" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_a_team_member_may_not_add_an_endpoint(client):
    client.force_login(UserFactory())
    assert client.get(reverse("webhooks:endpoint_new")).status_code == 404


def test_the_log_shows_attempts_and_codes(client, director):
    endpoint = EndpointFactory()
    event = Event.objects.create(type="engagement.created", created_at=T0)
    Delivery.objects.create(
        event=event, endpoint=endpoint, status=DeliveryStatus.FAILED, attempts=8, response_code=503, duration_ms=41
    )
    client.force_login(director)
    page = client.get(endpoint.get_absolute_url()).content.decode()
    assert event.message_id in page and "503" in page and "41 ms" in page


def test_the_log_query_count_does_not_grow_with_deliveries(client, director, django_assert_max_num_queries):
    endpoint = EndpointFactory()
    client.force_login(director)

    def fill(count):
        events = Event.objects.bulk_create([Event(type="engagement.created") for _ in range(count)])
        Delivery.objects.bulk_create([Delivery(event=event, endpoint=endpoint) for event in events])

    fill(2)
    with django_assert_max_num_queries(12) as small:
        client.get(endpoint.get_absolute_url())
    fill(40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(endpoint.get_absolute_url())


def test_another_clients_endpoint_answers_404_to_a_csm(client):
    csm = UserFactory(csm=True)
    other = EndpointFactory(organization=OrganizationFactory())
    client.force_login(csm)
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.post(reverse("webhooks:endpoint_rotate", args=[other.pk])).status_code == 404


def test_a_csm_manages_their_clients_endpoint_but_cannot_move_it_to_another(client, monkeypatch):
    from accounts import client_access
    from accounts.models import Organization

    monkeypatch.setattr(network, "resolve", lambda host, port: ["93.184.215.14"])
    csm = UserFactory(csm=True)
    own, other = OrganizationFactory(), OrganizationFactory()
    monkeypatch.setattr(client_access, "clients_managed_by", lambda user: Organization.objects.filter(pk=own.pk))
    endpoint = EndpointFactory(organization=own)
    client.force_login(csm)
    edit = reverse("webhooks:endpoint_edit", args=[endpoint.pk])
    fields = {"url": "https://crm.example.com/new", "event_types": ["item.completed"], "enabled": "on"}

    response = client.post(edit, {**fields, "organization": other.pk})
    assert response.status_code == 200  # the other client is not offered
    response = client.post(edit, {**fields, "organization": own.pk})
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.event_types) == ("https://crm.example.com/new", ["item.completed"])
    # No organization-wide endpoints for a CSM.
    assert client.post(edit, {**fields, "organization": ""}).status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.organization == own
