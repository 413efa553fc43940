"""A worker killed mid-delivery and a Redis restart while the next one is sending: every event still reaches the
receiver, at least once, with its own ``webhook-id`` and a signature the Standard Webhooks reference code accepts.

Real processes, as notifications' worker-survival test runs them (notifications/tests/processes.py): the production
worker command, beat ticking the relay every second, a private redis-server the test restarts empty, and a slow
local receiver. Deliveries are rows with a lease (``WEBHOOKS_LEASE_SECONDS``): what the killed worker had claimed is
claimed again when its lease ends, so nothing depends on the broker or on a task surviving.
"""

import time

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from standardwebhooks import Webhook

from accounts.tests.factories import OrganizationFactory
from notifications.tests.processes import Celery, RedisServer, fast_ticks, sql, wait_for

from ..models import Delivery, DeliveryStatus, Event
from ..services import emit
from .factories import EndpointFactory

pytestmark = [pytest.mark.postgres, pytest.mark.services, pytest.mark.django_db(transaction=True)]

EVENTS = 30


def _relay_every_second():
    interval, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    assert PeriodicTask.objects.filter(task="webhooks.relay").update(interval=interval, expire_seconds=1) == 1


def _delivered() -> int:
    return sql("SELECT count(*) FROM webhooks_delivery WHERE status = %s", [DeliveryStatus.DELIVERED])[0][0]


def test_a_killed_worker_and_a_redis_restart_lose_no_event(local_receivers):
    fast_ticks()
    _relay_every_second()
    receiver = local_receivers(delay=0.25)
    client = OrganizationFactory()
    endpoint = EndpointFactory(url=receiver.url, organization=client)
    for n in range(EVENTS):
        emit("engagement.created", {"engagement": {"id": n}}, organization=client, key=f"survival-{n}")
    assert Delivery.objects.count() == EVENTS

    with (
        RedisServer() as redis_server,
        Celery(
            broker_url=redis_server.url,
            smtp_port=1,  # no mail in this test
            WEBHOOKS_ALLOWED_NETWORKS="127.0.0.1/32",
            WEBHOOKS_RETRY_JITTER=0,
            WEBHOOKS_PER_ENDPOINT=2,
            WEBHOOKS_RELAY_BATCH=4,
            WEBHOOKS_RELAY_THREADS=2,
            # Short, so that the killed worker's claims come back within the test; longer than one batch takes.
            WEBHOOKS_LEASE_SECONDS=3,
            WEBHOOKS_RELAY_TIME_BUDGET=2,
        ) as celery,
    ):
        try:
            first = celery.worker("w1")
            celery.beat()
            wait_for(lambda: len(receiver.requests) >= 4, 60, what="the first worker to be delivering")
            Celery.kill(first)  # SIGKILL mid-batch: its claimed rows stay SENDING until their lease ends
            assert _delivered() < EVENTS
            second = celery.worker("w2")
            seen = len(receiver.requests)
            wait_for(lambda: len(receiver.requests) >= seen + 4, 60, what="the second worker to be delivering")
            redis_server.stop()
            time.sleep(1)
            redis_server.start()  # same port, empty
            wait_for(lambda: _delivered() == EVENTS, 90, what="every delivery to be delivered")
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n{celery.logs()}") from None
        assert second.poll() is None, f"the second worker exited:\n{celery.logs()}"

    # Every event arrived at least once, signed as the reference code expects, under its own message id.
    verifier = Webhook(endpoint.secret)
    received_ids = set()
    for request in receiver.requests:
        payload = verifier.verify(request.body, request.headers)
        assert payload["type"] == "engagement.created"
        received_ids.add(request.headers["webhook-id"])
    assert received_ids == {event.message_id for event in Event.objects.all()}
    assert not Delivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists()
