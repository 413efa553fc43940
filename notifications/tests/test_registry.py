"""The registries the apps fill in their AppConfig.ready(): categories, reminder kinds, context providers,
periodic ticks, ensure hooks and the page layout."""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django_celery_beat.models import PeriodicTask

from notifications import registry, services
from notifications.models import Notification, NotificationPreference
from notifications.schedule import periodic_tasks_ensure
from notifications.services import GENERIC_TEMPLATE, notify

from .factories import ALARM, NEWS

pytestmark = pytest.mark.django_db


def _handler(reminders, *, now):
    return {}


def _other_handler(reminders, *, now):
    return {}


def test_registering_the_same_thing_twice_is_harmless():
    # ready() may run again (tests call it); the second registration must not raise or duplicate anything.
    registry.register_reminder_kind("test.kind", _handler)
    registry.register_reminder_kind("test.kind", _handler)
    registry.register_category("test_again", "Again")
    registry.register_category("test_again", "Again")
    registry.register_ensure(_handler)
    registry.register_ensure(_handler)
    assert registry.reminder_handler_for("test.kind") is _handler
    assert [c.value for c in registry.categories()].count("test_again") == 1
    assert registry.ensure_hooks().count(_handler) == 1


def test_two_apps_claiming_one_name_is_an_error():
    registry.register_reminder_kind("test.kind", _handler)
    with pytest.raises(ImproperlyConfigured, match="test.kind"):
        registry.register_reminder_kind("test.kind", _other_handler)
    with pytest.raises(ImproperlyConfigured):
        registry.register_category(NEWS, "Something else")
    registry.register_periodic_task("test: tick", "test.tick", every_seconds=60)
    with pytest.raises(ImproperlyConfigured):
        registry.register_periodic_task("test: tick", "test.other", every_seconds=60)


@pytest.mark.parametrize(
    "schedule",
    [{}, {"every_seconds": 60, "crontab": {"minute": "0"}}, {"every_seconds": 0}],
    ids=["none", "both", "not-positive"],
)
def test_a_periodic_task_needs_exactly_one_sensible_schedule(schedule):
    with pytest.raises(ImproperlyConfigured):
        registry.register_periodic_task("test: bad", "test.tick", **schedule)
    assert "test: bad" not in {tick.name for tick in registry.periodic_tasks()}


def test_a_celery_task_is_registered_by_its_name():
    from notifications import tasks

    tick = registry.register_periodic_task("test: relay", tasks.relay, every_seconds=45)
    assert (tick.task, tick.expire_seconds) == ("notifications.relay", 45)


def test_a_category_name_must_fit_the_column():
    with pytest.raises(ImproperlyConfigured):
        registry.register_category("x" * 21, "Too long")


def test_after_migrate_each_tick_exists_once_and_an_admins_edit_is_kept():
    calls = []
    registry.register_periodic_task("test: every 45 s", "test.tick", every_seconds=45)
    registry.register_periodic_task(
        "test: mondays", "test.weekly", crontab={"minute": "0", "hour": "7", "day_of_week": "1"}
    )
    registry.register_ensure(lambda: calls.append("ensured"))
    periodic_tasks_ensure()
    every = PeriodicTask.objects.get(name="test: every 45 s")
    weekly = PeriodicTask.objects.get(name="test: mondays")
    assert (every.task, every.interval.every, every.expire_seconds) == ("test.tick", 45, 45)
    assert (weekly.crontab.hour, weekly.crontab.day_of_week, weekly.crontab.timezone.key) == ("7", "1", "UTC")
    assert weekly.expire_seconds == 3600

    every.enabled = False
    every.expire_seconds = 10
    every.save()
    periodic_tasks_ensure()  # the next migrate
    every.refresh_from_db()
    assert (every.enabled, every.expire_seconds) == (False, 10)
    assert PeriodicTask.objects.filter(name__startswith="test: ").count() == 2
    assert calls == ["ensured", "ensured"]


def test_the_ticks_exist_before_anything_is_registered_by_other_apps():
    # notifications' own ready() must work alone: an empty registry plus its own entries is a working engine.
    from django.apps import apps

    with registry.isolated(empty=True):
        apps.get_app_config("notifications").ready()
        assert {tick.task for tick in registry.periodic_tasks()} == {
            "notifications.relay",
            "notifications.reminders_sweep",
            "notifications.fanout_purge",
        }
        assert registry.reminder_handler_for(services.DIGEST_KIND) is services.remind_daily_digest


def test_an_unregistered_category_fails_loudly_and_writes_nothing(csm):
    with pytest.raises(ValueError, match="no_such_category"):
        notify(event="x:1", recipients=[csm], category="no_such_category", template=GENERIC_TEMPLATE)
    assert not Notification.objects.exists()


def test_client_users_are_offered_only_the_categories_meant_for_them(csm, client_key_user):
    registry.register_category("test_staff", "Staff only", for_client_users=False)
    staff = {c.value for c in registry.preference_categories(user=csm)}
    client = {c.value for c in registry.preference_categories(user=client_key_user)}
    assert {NEWS, ALARM, "test_staff"} <= staff
    assert "test_staff" not in client and {NEWS, ALARM} <= client
    deliveries, _hour = services.preferences_for(user=client_key_user)
    assert "test_staff" not in deliveries
    with pytest.raises(ValidationError):
        services.preferences_update(user=client_key_user, deliveries={"test_staff": "off"}, digest_hour=8)
    assert not NotificationPreference.objects.exists()


def test_a_mandatory_category_cannot_be_switched_off(csm):
    with pytest.raises(ValidationError, match="Alarms"):
        services.preferences_update(user=csm, deliveries={ALARM: "off"}, digest_hour=8)
    assert not NotificationPreference.objects.exists()


def test_without_a_registered_layout_the_pages_use_the_base_layout(csm):
    with registry.isolated(empty=True):
        assert registry.page_layout_for(csm) == "base.html"
        registry.register_page_layout(lambda user: "layouts/staff.html")
        assert registry.page_layout_for(csm) == "layouts/staff.html"


def test_an_attachment_provider_adds_files_built_when_the_mail_leaves(csm, settings):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    built = []

    def calendar_file(notification):
        built.append(notification.pk)
        if notification.context.get("gone"):
            raise registry.Obsolete
        return [("invite.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar; method=REQUEST")]

    registry.register_attachment_provider(GENERIC_TEMPLATE, calendar_file)
    notify(event="att:1", recipients=[csm], category=NEWS, template=GENERIC_TEMPLATE, context={"title": "Kickoff"})
    notify(
        event="att:2",
        recipients=[csm],
        category=NEWS,
        template=GENERIC_TEMPLATE,
        context={"title": "Cancelled since", "gone": True},
    )
    assert built == []  # nothing is built when the row is written
    services.notification_relay(time_budget=10)
    assert len(mail.outbox) == 1
    (name, content, mimetype) = mail.outbox[0].attachments[0]
    assert (name, mimetype) == ("invite.ics", "text/calendar; method=REQUEST") and "BEGIN:VCALENDAR" in str(content)
    assert len(built) == 2
    gone = Notification.objects.get(event="att:2", channel="email")
    assert gone.status == "cancelled"


def test_reminders_are_scheduled_many_at_once_and_moved_not_doubled(csm):
    from datetime import timedelta

    from django.utils import timezone

    from notifications.models import Reminder

    now = timezone.now()
    specs = [
        services.ReminderSpec(key=f"many:{n}", kind="test.kind", due_at=now + timedelta(hours=n), target=csm)
        for n in range(3)
    ]
    assert services.reminder_schedule_many(specs, now=now) == 3
    later = [services.ReminderSpec(key="many:0", kind="test.kind", due_at=now + timedelta(days=2), target=csm)]
    services.reminder_schedule_many(later, now=now)
    assert Reminder.objects.filter(key__startswith="many:").count() == 3
    moved = Reminder.objects.get(key="many:0")
    assert (moved.due_at, moved.target_id, moved.status) == (now + timedelta(days=2), str(csm.pk), "pending")
    with pytest.raises(ValueError):
        services.reminder_schedule_many([services.ReminderSpec(key="naive", kind="k", due_at=now.replace(tzinfo=None))])
