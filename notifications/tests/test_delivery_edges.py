"""Nothing lost, nothing blocking: mail held for a digest nobody scheduled, a row that keeps killing its relay."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.models import Channel, Delivery, Notification, Reminder, ReminderStatus, Status
from notifications.services import DIGEST_KIND, GENERIC_TEMPLATE, notify, reminder_sweep

from .factories import NEWS, NotificationFactory, NotificationPreferenceFactory

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")


def _emails(**filters):
    return Notification.objects.filter(channel=Channel.EMAIL, **filters)


def test_mail_held_for_a_digest_gets_a_digest_even_when_none_was_scheduled(csm):
    # A preference set in the admin (or kept through a deactivation) schedules no digest by itself.
    NotificationPreferenceFactory(user=csm, category=NEWS, delivery=Delivery.DIGEST)
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    notify(
        event="item.due:1",
        recipients=[csm],
        category=NEWS,
        template=GENERIC_TEMPLATE,
        context={"title": "Signed DPA is due"},
        now=now,
    )
    assert _emails().get().status == Status.HELD
    digest = Reminder.objects.get(key=f"digest:{csm.pk}", status=ReminderStatus.PENDING, kind=DIGEST_KIND)
    assert now < digest.due_at <= now + timedelta(days=1)
    reminder_sweep(now=digest.due_at)
    assert _emails().get(event="item.due:1").status == Status.DIGESTED
    assert _emails(event__startswith="digest:").count() == 1


def test_a_row_that_keeps_killing_its_relay_fails_after_the_last_attempt(csm, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    now = timezone.now()
    # Claimed for the last time by a relay that died (time limit, SIGKILL) before marking it.
    poison = NotificationFactory(
        recipient=csm,
        status=Status.SENDING,
        attempts=settings.NOTIFICATIONS_MAX_ATTEMPTS,
        next_attempt_at=now - timedelta(seconds=1),
    )
    fine = NotificationFactory(recipient=csm, next_attempt_at=now)
    assert services.notification_relay(now=now) == 1
    poison.refresh_from_db()
    assert poison.status == Status.FAILED and "lease" in poison.last_error
    assert Notification.objects.get(pk=fine.pk).status == Status.SENT
    assert len(mail.outbox) == 1


def test_a_broken_subject_template_neither_fails_the_event_nor_loses_the_mail(csm, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    now = timezone.now()
    # The event (completing an item, say) commits; the mail waits in the outbox with the error recorded.
    assert notify(event="item.done:1", recipients=[csm], category=NEWS, template="missing/template", now=now) == 2
    row = _emails().get()
    assert row.subject and row.status == Status.PENDING
    assert "missing/template_subject.txt" in caplog.text
    assert services.notification_relay(now=now) == 0
    row.refresh_from_db()
    assert row.status == Status.PENDING and "TemplateDoesNotExist" in row.last_error


def test_mail_held_for_a_user_deactivated_since_is_cancelled_not_logged_as_sent(csm, pm):
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    for user in (csm, pm):
        services.preferences_update(user=user, deliveries={NEWS: Delivery.DIGEST}, digest_hour=8, now=now)
    notify(event="item.due:1", recipients=[csm, pm], category=NEWS, template=GENERIC_TEMPLATE, now=now)
    pm.is_active = False
    pm.save(update_fields=["is_active"])
    reminder_sweep(now=now + timedelta(days=1))
    assert _emails().get(event="item.due:1", recipient=csm).status == Status.DIGESTED
    kept_back = _emails().get(event="item.due:1", recipient=pm)
    assert kept_back.status == Status.CANCELLED and kept_back.sent_at is None
    assert _emails(event__startswith="digest:").get().recipient == csm


def test_the_log_shows_the_address_the_mail_actually_went_to(csm, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    now = timezone.now()
    notify(event="item.due:1", recipients=[csm], category=NEWS, template=GENERIC_TEMPLATE, now=now)
    csm.email = "anna.new@example.com"
    csm.save(update_fields=["email"])
    assert services.notification_relay(now=now) == 1
    assert mail.outbox[0].to == ["anna.new@example.com"]
    # An admin searching the log for the new address must find it.
    assert _emails().get().to_email == "anna.new@example.com"
