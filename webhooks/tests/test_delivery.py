"""Delivery end to end to a real local receiver: signatures checked with the Standard Webhooks reference code, the
retry schedule on a fixed clock, Retry-After, 410, rotation, replay and fairness between endpoints."""

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from standardwebhooks import Webhook, WebhookVerificationError

from accounts.tests.factories import OrganizationFactory, UserFactory
from notifications.models import Notification

from .. import tasks
from ..models import Delivery, DeliveryStatus, Event
from ..services import (
    RETRY_SCHEDULE,
    deliveries_replay_range,
    delivery_claim_batch,
    delivery_relay,
    delivery_replay,
    emit,
    endpoint_rotate_secret,
    event_purge,
    retry_delay,
)
from .factories import EndpointFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def test_a_delivery_verifies_with_the_reference_code(local_receiver):
    client = OrganizationFactory()
    endpoint = EndpointFactory(url=local_receiver.url, organization=client)
    # At the clock's own time, since the task reads it (whatever it says).
    emit("engagement.created", {"engagement": {"id": 7, "name": "Rollout"}}, organization=client)

    # The Celery task's own function, as a worker runs it.
    assert tasks.relay.run() == 1

    [request] = local_receiver.requests
    payload = Webhook(endpoint.secret).verify(request.body, request.headers)
    event = Event.objects.get()
    assert payload == {
        "type": "engagement.created",
        "timestamp": event.created_at.isoformat().replace("+00:00", "Z"),
        "data": {"engagement": {"id": 7, "name": "Rollout"}},
    }
    assert request.headers["webhook-id"] == event.message_id
    assert request.headers["webhook-signature"].startswith("v1,")
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.DELIVERED, 1, 204)
    assert delivery.duration_ms is not None
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUJD" * 8).verify(request.body, request.headers)


def test_only_subscribed_endpoints_of_the_events_client_get_it(local_receiver):
    client, other = OrganizationFactory(), OrganizationFactory()
    wide = EndpointFactory(url=local_receiver.url, organization=None)
    own = EndpointFactory(url=local_receiver.url, organization=client)
    EndpointFactory(url=local_receiver.url, organization=other)
    EndpointFactory(url=local_receiver.url, organization=client, event_types=["stage.accepted"])
    EndpointFactory(url=local_receiver.url, organization=client, enabled=False)

    assert emit("engagement.created", {}, organization=client, now=T0) == 2
    assert set(Delivery.objects.values_list("endpoint_id", flat=True)) == {wide.pk, own.pk}


def test_one_delivery_per_event_and_endpoint():
    endpoint = EndpointFactory()
    emit("engagement.created", {}, now=T0)
    delivery = Delivery.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(event=delivery.event, endpoint=endpoint)


def test_failures_retry_on_the_spec_schedule_with_the_same_id(local_receiver):
    local_receiver.status = 500
    EndpointFactory(url=local_receiver.url)
    emit("engagement.created", {}, now=T0)
    delivery = Delivery.objects.get()

    at = T0
    for attempt, wait in enumerate(RETRY_SCHEDULE[1:], start=1):
        delivery_relay(now=at)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, attempt)
        assert delivery.next_attempt_at == at + timedelta(seconds=wait)
        # Not a second early.
        assert delivery_relay(now=at + timedelta(seconds=wait - 1)) == 0
        assert len(local_receiver.requests) == attempt
        at += timedelta(seconds=wait)
    delivery_relay(now=at)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.FAILED, 8, 500)
    assert len({request.headers["webhook-id"] for request in local_receiver.requests}) == 1
    assert len(local_receiver.requests) == 8


def test_retry_after_is_honoured_when_longer(local_receiver):
    local_receiver.status, local_receiver.headers = 429, {"Retry-After": "120"}
    EndpointFactory(url=local_receiver.url)
    emit("engagement.created", {}, now=T0)
    delivery_relay(now=T0)
    assert Delivery.objects.get().next_attempt_at == T0 + timedelta(seconds=120)


def test_jitter_stays_within_its_fraction(settings):
    settings.WEBHOOKS_RETRY_JITTER = 0.1
    rng = random.Random(4)
    delays = {retry_delay(2, rng=rng) for _ in range(50)}
    assert all(timedelta(seconds=270) <= delay <= timedelta(seconds=330) for delay in delays)
    assert len(delays) > 1
    assert retry_delay(len(RETRY_SCHEDULE), rng=rng) is None


def test_410_disables_the_endpoint_and_tells_its_owner(local_receiver):
    local_receiver.status = 410
    owner = UserFactory(csm=True)
    endpoint = EndpointFactory(url=local_receiver.url, created_by=owner)
    emit("engagement.created", {"n": 1}, now=T0)
    emit("engagement.created", {"n": 2}, now=T0)

    delivery_relay(now=T0)

    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert len(local_receiver.requests) == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.CANCELLED}
    notice = Notification.objects.get(recipient=owner, channel="email")
    assert "410" in notice.subject
    # Nothing more is sent to it.
    emit("engagement.created", {"n": 3}, now=T0)
    assert delivery_relay(now=T0 + timedelta(hours=1)) == 0


def test_rotation_signs_with_both_secrets_during_the_grace_period(local_receiver, settings):
    settings.WEBHOOKS_SECRET_GRACE_HOURS = 24
    endpoint = EndpointFactory(url=local_receiver.url)
    old = endpoint.secret
    endpoint = endpoint_rotate_secret(endpoint=endpoint, by=None, now=T0)
    emit("engagement.created", {}, now=T0)
    delivery_relay(now=T0 + timedelta(hours=1))
    emit("engagement.created", {}, now=T0 + timedelta(hours=25))
    delivery_relay(now=T0 + timedelta(hours=25))

    during, after = local_receiver.requests
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(during.body, during.headers)
    Webhook(endpoint.secret).verify(during.body, during.headers)
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    Webhook(endpoint.secret).verify(after.body, after.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(after.body, after.headers)


def test_a_dead_endpoint_does_not_hold_up_another(local_receivers, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.3
    slow, fast = local_receivers(delay=2.0), local_receivers()
    stuck = EndpointFactory(url=slow.url)
    EndpointFactory(url=fast.url)
    for n in range(3):
        emit("engagement.created", {"n": n}, now=T0)

    assert delivery_relay(now=T0, time_budget=0.1) == 3

    assert len(fast.requests) == 3
    # One timeout for the stuck endpoint; its other two go back unattempted.
    assert len(slow.requests) == 1
    attempts = sorted(Delivery.objects.filter(endpoint=stuck).values_list("status", "attempts"))
    assert attempts == [(DeliveryStatus.PENDING, 0), (DeliveryStatus.PENDING, 0), (DeliveryStatus.PENDING, 1)]


def test_replay_sends_again_with_the_same_id(local_receiver):
    endpoint = EndpointFactory(url=local_receiver.url)
    emit("engagement.created", {}, now=T0)
    delivery_relay(now=T0)
    delivery = delivery_replay(delivery=Delivery.objects.get(), by=None, now=T0 + timedelta(hours=1))
    delivery_relay(now=T0 + timedelta(hours=1))

    first, again = local_receiver.requests
    assert first.headers["webhook-id"] == again.headers["webhook-id"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert endpoint.deliveries.count() == 1


def test_replaying_a_range_includes_events_from_before_the_endpoint(local_receiver):
    emit("engagement.created", {"n": "before"}, now=T0)
    emit("stage.accepted", {"n": "other type"}, now=T0)
    emit("engagement.created", {"n": "too late"}, now=T0 + timedelta(days=2))
    endpoint = EndpointFactory(url=local_receiver.url)

    queued = deliveries_replay_range(
        endpoint=endpoint, since=T0 - timedelta(hours=1), until=T0 + timedelta(days=1), by=None, now=T0
    )
    assert queued == 1
    # Twice: the same row again, never a second one.
    deliveries_replay_range(
        endpoint=endpoint, since=T0 - timedelta(hours=1), until=T0 + timedelta(days=1), by=None, now=T0
    )
    assert endpoint.deliveries.count() == 1
    delivery_relay(now=T0)
    assert [json.loads(r.body)["data"]["n"] for r in local_receiver.requests] == ["before"]


@pytest.mark.django_db(transaction=True)
def test_two_relays_at_once_send_each_delivery_once(local_receiver, settings):
    """SKIP LOCKED claims: two relays racing over the same due rows never both take one."""
    import threading

    from django.db import connection

    settings.WEBHOOKS_PER_ENDPOINT = 3
    settings.WEBHOOKS_RELAY_BATCH = 3
    EndpointFactory(url=local_receiver.url)
    for n in range(30):
        emit("engagement.created", {"n": n}, now=T0)

    def relay():
        try:
            delivery_relay(now=T0)
        finally:
            connection.close()

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    received = sorted(json.loads(request.body)["data"]["n"] for request in local_receiver.requests)
    assert received == list(range(30))
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.DELIVERED, 1)}


def test_a_relay_that_died_mid_delivery_loses_its_claim_to_the_next(local_receiver, settings):
    """At-least-once: the lease runs out, the next relay sends it again with the same webhook-id; one that killed
    every relay that took it is given up after the last attempt."""
    settings.WEBHOOKS_LEASE_SECONDS = 120
    EndpointFactory(url=local_receiver.url)
    emit("engagement.created", {}, now=T0)
    [claimed] = delivery_claim_batch(now=T0)  # ...and the relay dies before sending
    assert delivery_relay(now=T0 + timedelta(seconds=119)) == 0
    assert delivery_relay(now=T0 + timedelta(seconds=120)) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)
    assert local_receiver.requests[0].headers["webhook-id"] == claimed.event.message_id

    Delivery.objects.update(status=DeliveryStatus.SENDING, attempts=8, next_attempt_at=T0)
    assert delivery_claim_batch(now=T0) == []
    assert Delivery.objects.get().status == DeliveryStatus.FAILED


def test_old_events_are_purged_with_their_deliveries(settings):
    settings.WEBHOOKS_KEEP_DAYS = 30
    EndpointFactory()
    emit("engagement.created", {}, now=T0 - timedelta(days=31))
    emit("engagement.created", {}, now=T0 - timedelta(days=29))
    assert event_purge(now=T0) == 1
    assert Event.objects.count() == Delivery.objects.count() == 1
