from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import UserFactory
from notifications import services
from notifications.models import Channel, Delivery, Notification, Status
from notifications.services import GENERIC_TEMPLATE, notify

from .factories import ALARM, NEWS, NotificationFactory, NotificationPreferenceFactory

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")


def _notify(recipients, event="item.due:1", category=NEWS, **kw):
    return notify(
        event=event,
        recipients=recipients,
        category=category,
        template=GENERIC_TEMPLATE,
        context={"title": "Item 'Signed DPA' is due soon", **kw.pop("context", {})},
        url="/engagements/1/",
        **kw,
    )


def test_it_writes_an_email_and_an_in_app_row_per_recipient(csm, pm):
    assert _notify([csm, pm]) == 4
    rows = Notification.objects.order_by("recipient_id", "channel")
    assert {(r.recipient_id, r.channel, r.status) for r in rows} == {
        (csm.pk, Channel.EMAIL, Status.PENDING),
        (csm.pk, Channel.IN_APP, Status.SENT),
        (pm.pk, Channel.EMAIL, Status.PENDING),
        (pm.pk, Channel.IN_APP, Status.SENT),
    }
    assert rows[0].subject == "Item 'Signed DPA' is due soon"


def test_the_same_event_twice_exists_once(csm):
    _notify([csm])
    assert _notify([csm]) == 0
    assert Notification.objects.count() == 2


def test_a_recipient_named_twice_gets_one_of_each(csm):
    assert _notify([csm, csm]) == 2


def test_the_relay_is_kicked_once_after_commit(csm, pm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify([csm], event="a")
        _notify([pm], event="b")
    assert len(callbacks) == 1


def test_nothing_is_written_when_the_category_is_off(csm):
    NotificationPreferenceFactory(user=csm, category=NEWS, delivery=Delivery.OFF)
    assert _notify([csm]) == 0
    assert not Notification.objects.exists()


def test_escalations_ignore_an_off_preference(csm):
    NotificationPreferenceFactory(user=csm, category=ALARM, delivery=Delivery.OFF)
    assert _notify([csm], category=ALARM) == 2


def test_digest_preference_holds_the_email_but_shows_it_in_the_app(csm):
    NotificationPreferenceFactory(user=csm, category=NEWS, delivery=Delivery.DIGEST)
    _notify([csm])
    assert set(Notification.objects.values_list("channel", "status")) == {
        (Channel.EMAIL, Status.HELD),
        (Channel.IN_APP, Status.SENT),
    }


def test_inactive_users_get_nothing(csm):
    csm.is_active = False
    csm.save()
    assert _notify([csm]) == 0


def test_mail_to_a_user_deactivated_since_is_cancelled_and_a_new_address_is_used(csm, pm, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _notify([csm, pm])
    csm.is_active = False
    csm.save()
    pm.email = "petra.new@example.com"
    pm.save()
    assert services.notification_relay() == 1
    assert [m.to for m in mail.outbox] == [["petra.new@example.com"]]
    assert Notification.objects.get(recipient=csm, channel=Channel.EMAIL).status == Status.CANCELLED


def test_a_bare_address_gets_email_only():
    assert _notify(["New.Person@Example.com"]) == 1
    row = Notification.objects.get()
    assert (row.channel, row.to_email, row.recipient) == (
        Channel.EMAIL,
        "new.person@example.com",
        None,
    )


def test_relay_sends_with_the_dedupe_key_as_message_id(csm, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _notify([csm])
    assert services.notification_relay() == 1
    row = Notification.objects.get(channel=Channel.EMAIL)
    assert row.status == Status.SENT and row.sent_at and row.attempts == 1
    (message,) = mail.outbox
    assert message.extra_headers["Message-ID"] == f"<{row.dedupe_key}@{settings.NOTIFICATIONS_MESSAGE_ID_DOMAIN}>"
    assert "Message-ID: <" + row.dedupe_key in message.message().as_string()
    assert message.to == [csm.email]
    assert "http://" in message.body and "/engagements/1/" in message.body
    assert message.alternatives[0][1] == "text/html"
    # Nothing left to do: a second relay sends nothing.
    assert services.notification_relay() == 0


def test_email_is_rendered_in_the_recipients_language_and_time_zone(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    tokyo = UserFactory(time_zone="Asia/Tokyo", language="de")
    starts = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    _notify([tokyo], context={"title": "Steering meeting", "when_at": starts})
    services.notification_relay()
    (message,) = mail.outbox
    # 09:00 UTC is 18:00 in Tokyo; the body is rendered under the recipient's language.
    assert "18:00" in message.body or "6:00 p.m." in message.body
    assert "Steering meeting" in message.body


def test_a_refused_address_is_recorded_and_backs_off_without_blocking_others(settings):
    settings.EMAIL_BACKEND = "notifications.tests.backends.RefusingBackend"
    good, bad = (
        UserFactory(email="good@example.com"),
        UserFactory(email="bad@example.com"),
    )
    now = timezone.now()
    _notify([bad, good], now=now)
    assert services.notification_relay(now=now) == 1
    sent = Notification.objects.get(channel=Channel.EMAIL, recipient=good)
    failed = Notification.objects.get(channel=Channel.EMAIL, recipient=bad)
    assert sent.status == Status.SENT
    assert failed.status == Status.PENDING and failed.attempts == 1
    assert "550" in failed.last_error and "SMTPRecipientsRefused" in failed.last_error
    assert failed.next_attempt_at == now + timedelta(seconds=settings.NOTIFICATIONS_RETRY_BASE_SECONDS)
    assert [m.to for m in mail.outbox] == [["good@example.com"]]


def test_back_off_doubles_and_the_row_fails_after_the_last_attempt(settings):
    settings.EMAIL_BACKEND = "notifications.tests.backends.RefusingBackend"
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    bad = UserFactory(email="bad@example.com")
    now = timezone.now()
    _notify([bad], now=now)
    delays = []
    for _ in range(3):
        row = Notification.objects.get(channel=Channel.EMAIL)
        now = row.next_attempt_at
        services.notification_relay(now=now)
        row.refresh_from_db()
        delays.append((row.next_attempt_at - now).total_seconds())
    assert delays == [60, 120, 240]
    assert row.status == Status.FAILED and row.attempts == 3
    # The admin's retry puts it back, at once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.notification_retry(notification_ids=[row.pk], now=now) == 1
    assert services.notification_relay(now=now) == 1
    row.refresh_from_db()
    assert row.status == Status.SENT


def test_a_server_that_is_down_fails_the_batch_softly(csm, settings):
    settings.EMAIL_BACKEND = "notifications.tests.backends.DownBackend"
    _notify([csm])
    assert services.notification_relay() == 0
    row = Notification.objects.get(channel=Channel.EMAIL)
    assert row.status == Status.PENDING and "Connection refused" in row.last_error


def test_a_row_claimed_by_a_crashed_relay_is_sent_after_its_lease(csm, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    now = timezone.now()
    _notify([csm], now=now)
    (claimed,) = services.notification_claim_batch(now=now)  # ...and the relay dies here.
    assert services.notification_relay(now=now) == 0
    later = now + timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS + 1)
    assert services.notification_relay(now=later) == 1
    row = Notification.objects.get(pk=claimed.pk)
    assert row.status == Status.SENT and row.attempts == 2


def test_a_late_relay_does_not_overwrite_a_newer_claim(csm, settings):
    now = timezone.now()
    _notify([csm], now=now)
    (stale,) = services.notification_claim_batch(now=now)
    later = now + timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS + 1)
    (fresh,) = services.notification_claim_batch(now=later)
    services.relay._mark_failed(stale, "late", later)
    row = Notification.objects.get(pk=fresh.pk)
    assert row.status == Status.SENDING and row.attempts == 2


def test_relay_batches_keep_query_count_flat(django_assert_max_num_queries, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATIONS_RELAY_BATCH = 100
    users = UserFactory.create_batch(10)
    _notify(users, event="small")
    # claim (3) + load rows, prefetch target (2) + one mark per row + final empty claim, and one empty claim of
    # deferred fan-outs (3).
    with django_assert_max_num_queries(6 + 10 + 3 + 3):
        assert services.notification_relay() == 10


def test_mark_read_only_touches_own_notifications(client_key_user, other_client_user):
    mine = NotificationFactory(recipient=client_key_user, in_app=True)
    theirs = NotificationFactory(recipient=other_client_user, in_app=True)
    services.notification_mark_read(user=client_key_user, notification_id=mine.pk)
    mine.refresh_from_db()
    assert mine.read_at
    with pytest.raises(Notification.DoesNotExist):
        services.notification_mark_read(user=client_key_user, notification_id=theirs.pk)
    NotificationFactory.create_batch(2, recipient=client_key_user, in_app=True)
    assert services.notification_mark_all_read(user=client_key_user) == 2


def test_digest_next_due_is_the_local_hour_across_dst():
    user = UserFactory(time_zone="Europe/Warsaw")
    # 30 March 2025: clocks go forward at 02:00 local. At 22:00 UTC on the 29th it is 23:00 local (CET).
    now = datetime(2025, 3, 29, 22, 0, tzinfo=UTC)
    assert services.digest_next_due(user=user, hour=8, now=now) == datetime(2025, 3, 30, 6, 0, tzinfo=UTC)
    before = datetime(2025, 3, 29, 6, 0, tzinfo=UTC)
    assert services.digest_next_due(user=user, hour=8, now=before) == datetime(2025, 3, 29, 7, 0, tzinfo=UTC)
