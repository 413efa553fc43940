from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import UserFactory
from notifications import registry, services
from notifications.models import (
    Channel,
    Delivery,
    Notification,
    Reminder,
    ReminderStatus,
    Status,
)
from notifications.services import GENERIC_TEMPLATE, NotifyRequest

from .factories import ALARM, NEWS, TEST_KIND, ReminderFactory

pytestmark = pytest.mark.django_db

FIRED = []


def _remind(reminders, *, now):
    """Notify the target user of each reminder, in one batch; 'boom' reminders fail."""
    for reminder in reminders:
        if reminder.payload.get("boom"):
            raise RuntimeError("handler exploded")
    FIRED.extend(r.key for r in reminders)
    users = {u.pk: u for u in UserFactory._meta.model.objects.filter(pk__in=[r.target_id for r in reminders])}
    services.notify_many(
        [
            NotifyRequest(
                event=f"test.remind:{r.key}:{r.due_at.isoformat()}",
                recipients=[users[int(r.target_id)]],
                category=NEWS,
                template=GENERIC_TEMPLATE,
                context={"title": f"Reminder {r.key}"},
            )
            for r in reminders
            if r.target_id
        ],
        now=now,
    )


@pytest.fixture(autouse=True)
def _remind_kind(notification_test_registry):
    registry.register_reminder_kind(TEST_KIND, _remind)


@pytest.fixture(autouse=True)
def _clear():
    FIRED.clear()


def test_schedule_is_idempotent_per_key(csm):
    now = timezone.now()
    services.reminder_schedule(key="k", kind="test.remind", due_at=now + timedelta(hours=1), target=csm)
    services.reminder_schedule(key="k", kind="test.remind", due_at=now + timedelta(hours=2), target=csm)
    reminder = Reminder.objects.get(key="k")
    assert reminder.due_at == now + timedelta(hours=2)


def test_a_naive_due_time_is_refused():
    with pytest.raises(ValueError):
        services.reminder_schedule(key="k", kind="test.remind", due_at=timezone.now().replace(tzinfo=None))


def test_a_due_reminder_fires_once(csm):
    now = timezone.now()
    services.reminder_schedule(key="k", kind="test.remind", due_at=now - timedelta(minutes=1), target=csm)
    services.reminder_schedule(key="later", kind="test.remind", due_at=now + timedelta(minutes=1), target=csm)
    assert services.reminder_sweep(now=now) == 1
    assert services.reminder_sweep(now=now) == 0
    assert FIRED == ["k"]
    done = Reminder.objects.get(key="k")
    assert (done.status, done.fired_count, done.last_fired_at) == (
        ReminderStatus.DONE,
        1,
        now,
    )
    assert Notification.objects.filter(recipient=csm, channel=Channel.IN_APP).count() == 1


def test_a_cancelled_reminder_never_fires(csm):
    now = timezone.now()
    services.reminder_schedule(key="k", kind="test.remind", due_at=now - timedelta(minutes=1), target=csm)
    assert services.reminder_cancel(key="k") == 1
    assert services.reminder_sweep(now=now) == 0
    assert FIRED == []


def test_a_repeating_reminder_moves_on_and_skips_missed_repeats(csm):
    now = timezone.now()
    # Due 3.5 days ago, daily: after an outage it fires once now, then on its rhythm.
    ReminderFactory(
        key="r",
        target=csm,
        due_at=now - timedelta(days=3, hours=12),
        repeat_every=timedelta(days=1),
    )
    assert services.reminder_sweep(now=now) == 1
    reminder = Reminder.objects.get(key="r")
    assert reminder.status == ReminderStatus.PENDING
    assert reminder.due_at == now + timedelta(hours=12)
    assert services.reminder_sweep(now=now) == 0
    assert services.reminder_sweep(now=now + timedelta(hours=12)) == 1
    assert Reminder.objects.get(key="r").fired_count == 2


def test_a_failing_reminder_records_its_error_and_does_not_block_others(csm):
    now = timezone.now()
    ReminderFactory(key="ok-1", target=csm, due=True)
    ReminderFactory(key="boom", target=csm, due=True, payload={"boom": True})
    ReminderFactory(key="ok-2", target=csm, due=True)
    assert services.reminder_sweep(now=now) == 3
    assert sorted(FIRED) == ["ok-1", "ok-2"]
    boom = Reminder.objects.get(key="boom")
    assert boom.status == ReminderStatus.PENDING and boom.attempts == 1
    assert "handler exploded" in boom.last_error
    assert boom.due_at == now + timedelta(seconds=60)
    # The effects of the failed attempt were rolled back with it; the others' notifications exist.
    assert Notification.objects.filter(event__startswith="test.remind:boom").count() == 0
    assert Notification.objects.filter(event__startswith="test.remind:ok-").count() == 4


def test_an_unknown_kind_backs_off():
    now = timezone.now()
    ReminderFactory(key="x", kind="nobody.handles", due=True)
    services.reminder_sweep(now=now)
    reminder = Reminder.objects.get(key="x")
    assert "No handler" in reminder.last_error and reminder.due_at > now


@pytest.mark.parametrize("due", [5, 60])
def test_a_sweep_batch_costs_the_same_queries_however_many_are_due(due, django_assert_max_num_queries):
    users = UserFactory.create_batch(3)
    now = timezone.now()
    for n in range(due):
        ReminderFactory(key=f"k{n}", target=users[n % 3], due_at=now - timedelta(minutes=1))
    # claim, users, preferences, dedupe count, insert, bulk update, savepoints: independent of `due`.
    with django_assert_max_num_queries(16):
        assert services.reminder_sweep_batch(now=now) == due
    assert Notification.objects.count() == 2 * due


def test_daily_digest_gathers_held_mail_at_the_users_local_hour(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = UserFactory(time_zone="America/New_York")
    now = timezone.now()
    services.preferences_update(
        user=user,
        deliveries={NEWS: Delivery.DIGEST},
        digest_hour=7,
        now=now,
    )
    reminder = Reminder.objects.get(key=f"digest:{user.pk}")
    assert reminder.due_at == services.digest_next_due(user=user, hour=7, now=now)
    for n in range(3):
        services.notify(
            event=f"e{n}",
            recipients=[user],
            category=NEWS,
            template=GENERIC_TEMPLATE,
            context={"title": f"Item {n} is due"},
            now=now,
        )
    assert services.notification_relay(now=now) == 0
    at = reminder.due_at
    assert services.reminder_sweep(now=at) == 1
    assert services.notification_relay(now=at) == 1
    (message,) = mail.outbox
    assert "3" in message.subject
    assert all(f"Item {n} is due" in message.body for n in range(3))
    assert Notification.objects.filter(status=Status.DIGESTED).count() == 3
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.PENDING and reminder.due_at == at + timedelta(days=1)


def test_turning_the_digest_off_flushes_what_is_held(settings):
    user = UserFactory()
    now = timezone.now()
    services.preferences_update(
        user=user,
        deliveries={NEWS: Delivery.DIGEST},
        digest_hour=7,
        now=now,
    )
    services.notify(
        event="e",
        recipients=[user],
        category=NEWS,
        template=GENERIC_TEMPLATE,
        context={"title": "x"},
        now=now,
    )
    services.preferences_update(
        user=user,
        deliveries={NEWS: Delivery.IMMEDIATE},
        digest_hour=7,
        now=now,
    )
    services.reminder_sweep(now=now)
    assert Notification.objects.filter(status=Status.HELD).count() == 0
    assert Reminder.objects.get(key=f"digest:{user.pk}").status == ReminderStatus.DONE


def test_escalations_cannot_be_turned_off():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.preferences_update(
            user=UserFactory(),
            deliveries={ALARM: Delivery.OFF},
            digest_hour=7,
        )


def test_periodic_ticks_exist_once_and_expire_after_their_interval():
    from django_celery_beat.models import PeriodicTask

    from notifications.schedule import periodic_tasks_ensure

    periodic_tasks_ensure()
    periodic_tasks_ensure()
    relay = PeriodicTask.objects.get(task="notifications.relay")
    assert relay.interval.every == relay.expire_seconds == 30
    assert PeriodicTask.objects.filter(task="notifications.reminders_sweep").count() == 1


def test_running_out_of_time_leaves_the_batch_due(csm):
    from celery.exceptions import SoftTimeLimitExceeded

    now = timezone.now()
    ReminderFactory(key="slow", target=csm, due=True)

    def out_of_time(reminders, *, now):
        raise SoftTimeLimitExceeded

    # Replaced in place (not monkeypatch: its undo could run after the registry is restored and leak it).
    registry._reminder_kinds[TEST_KIND] = out_of_time
    with pytest.raises(SoftTimeLimitExceeded):
        services.reminder_sweep(now=now)
    reminder = Reminder.objects.get(key="slow")
    assert (reminder.status, reminder.attempts, reminder.fired_count) == (ReminderStatus.PENDING, 0, 0)
    assert reminder.due_at <= now


def test_a_digest_comes_back_at_the_users_hour_the_next_day(settings):
    from .factories import DigestSettingFactory, NotificationPreferenceFactory

    setting = DigestSettingFactory(early=True, user=UserFactory(time_zone="Asia/Tokyo"))
    NotificationPreferenceFactory(user=setting.user, digest=True)
    now = timezone.now()
    ReminderFactory(key=f"digest:{setting.user.pk}", kind=services.DIGEST_KIND, target=setting.user, due_at=now)
    services.reminder_sweep(now=now)
    reminder = Reminder.objects.get(key=f"digest:{setting.user.pk}")
    assert reminder.due_at == services.digest_next_due(user=setting.user, hour=6, now=now)
    from zoneinfo import ZoneInfo

    assert reminder.due_at.astimezone(ZoneInfo("Asia/Tokyo")).hour == 6
