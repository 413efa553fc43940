"""Writing the outbox: a burst's cost is one statement whatever the number of events and endpoints."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import OrganizationFactory

from ..models import Delivery, Event
from ..services import EventSpec, emit, emit_many
from .factories import EndpointFactory

pytestmark = [pytest.mark.django_db]

T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def _burst(events, endpoints):
    clients = [OrganizationFactory() for _ in range(3)]
    for n in range(endpoints):
        EndpointFactory(organization=clients[n % 3] if n % 2 else None, event_types=["red_flag.escalated"])
    specs = [
        EventSpec.of("red_flag.escalated", {"flag": {"id": n}}, organization=clients[n % 3], engagement=n)
        for n in range(events)
    ]
    with CaptureQueriesContext(connection) as queries:
        written = emit_many(specs, now=T0)
    return len(queries.captured_queries), written


@pytest.mark.postgres
def test_a_bursts_query_count_grows_with_neither_events_nor_endpoints():
    small_queries, small = _burst(events=5, endpoints=2)
    Delivery.objects.all().delete()
    big_queries, big = _burst(events=400, endpoints=30)
    assert small_queries == big_queries == 1
    assert small > 0
    assert Event.objects.count() == 405
    # Each event reaches the organization-wide endpoints and those of its own client, once each.
    expected = sum(
        1
        for d in Delivery.objects.select_related("event", "endpoint")
        if d.endpoint.organization_id in (None, d.event.organization_id)
    )
    assert big == Delivery.objects.count() == expected


def test_an_unknown_event_type_fails_loudly():
    with pytest.raises(ValueError, match="Unknown webhook event type"):
        emit("engagement.exploded", {})


def test_an_event_with_no_endpoint_is_kept_for_replay():
    assert emit("stage.accepted", {"stage": {"id": 1}}, now=T0) == 0
    assert Event.objects.get().type == "stage.accepted"


def test_the_relay_is_kicked_once_after_commit(django_capture_on_commit_callbacks):
    EndpointFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        emit_many([EventSpec("engagement.created") for _ in range(3)], now=T0)
        emit("engagement.created", {}, now=T0)
    assert len(callbacks) == 1


def test_an_event_with_a_key_happens_once():
    EndpointFactory(event_types=["item.overdue"])
    spec = EventSpec.of("item.overdue", {}, key="item.overdue:1:2027-01-04")
    assert emit_many([spec, spec], now=T0) == 1
    assert emit_many([spec, EventSpec.of("item.overdue", {})], now=T0) == 1
    assert Event.objects.count() == 2 and Delivery.objects.count() == 2
