"""Two relays or two sweeps at the same moment, in threads with their own connections (PostgreSQL locks)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.tests.factories import UserFactory
from notifications import services
from notifications.handlers import MESSAGE_KIND
from notifications.models import Channel, Notification, Reminder
from notifications.services import GENERIC_TEMPLATE
from notifications.tests.factories import NEWS

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _at_once(fn, workers=2):
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(fn())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return results


def test_two_relays_claim_disjoint_rows(settings):
    settings.NOTIFICATIONS_RELAY_BATCH = 15
    users = UserFactory.create_batch(30)
    services.notify(
        event="concurrent",
        recipients=users,
        category=NEWS,
        template=GENERIC_TEMPLATE,
        context={"title": "x"},
        channels=(Channel.EMAIL,),
    )
    now = timezone.now()
    first, second = _at_once(lambda: {n.pk for n in services.notification_claim_batch(now=now)})
    assert first and second and not first & second
    assert len(first | second) == 30
    assert Notification.objects.filter(attempts=1, status="sending").count() == 30


def test_two_sweeps_fire_each_reminder_once(settings):
    settings.REMINDERS_SWEEP_BATCH = 10
    users = UserFactory.create_batch(3)
    now = timezone.now()
    for n in range(40):
        services.reminder_schedule(
            key=f"c:{n}",
            kind=MESSAGE_KIND,
            due_at=now - timedelta(seconds=1),
            payload={"user_ids": [users[n % 3].pk], "title": f"T{n}", "category": NEWS},
        )
    counts = _at_once(lambda: services.reminder_sweep(now=now), workers=3)
    assert sum(counts) == 40
    assert set(Reminder.objects.filter(key__startswith="c:").values_list("fired_count", flat=True)) == {1}
    assert Notification.objects.filter(event__startswith="reminder:c:").count() == 80
