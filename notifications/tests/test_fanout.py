"""Deferred fan-out: ``notify_many(..., deferred=True)`` writes who must be told of what, and the relay expands it
into the outbox rows exactly once, whatever dies in between."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import OperationalError, connection, connections
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from notifications import services
from notifications.models import Channel, FanoutStatus, Notification, NotificationFanout, Reminder, Status
from notifications.services import GENERIC_TEMPLATE, NotifyRequest, fanout_expand, fanout_expand_batch, notify_many

from .factories import ALARM, NEWS, NotificationPreferenceFactory

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _request(event, recipients, category=ALARM, **context):
    return NotifyRequest(
        event=event,
        recipients=recipients,
        category=category,
        template=GENERIC_TEMPLATE,
        context={"title": f"Escalated: {event}", **context},
        url="/flags/1/",
    )


def _expected(fanout_events, people) -> set[tuple]:
    return {(event, p.pk, channel) for event in fanout_events for p in people for channel in Channel.values}


def _rows() -> set[tuple]:
    return set(Notification.objects.values_list("event", "recipient_id", "channel"))


@pytest.mark.django_db
def test_a_deferred_write_is_one_row_per_event_and_the_relay_expands_it_once(django_capture_on_commit_callbacks):
    csm, pm = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert notify_many([_request("e:1", [csm, pm]), _request("e:2", [pm])], now=NOW, deferred=True) == 2
    assert len(callbacks) == 1  # the relay is kicked once, after commit
    assert not Notification.objects.exists()
    fanout = NotificationFanout.objects.get(event="e:1")
    assert (fanout.status, fanout.recipient_ids, fanout.url) == (FanoutStatus.PENDING, [csm.pk, pm.pk], "/flags/1/")
    # The same events written again (a racing sweep): nothing new.
    assert notify_many([_request("e:1", [csm, pm])], now=NOW, deferred=True) == 0

    assert fanout_expand(now=NOW) == 2
    assert _rows() == _expected(["e:1"], [csm, pm]) | _expected(["e:2"], [pm])
    row = Notification.objects.get(event="e:1", recipient=csm, channel=Channel.EMAIL)
    assert (row.subject, row.status, row.created_at) == ("Escalated: e:1", Status.PENDING, NOW)
    assert set(NotificationFanout.objects.values_list("status", flat=True)) == {FanoutStatus.EXPANDED}
    # Expanded rows are not claimed again.
    assert fanout_expand(now=NOW) == 0 and Notification.objects.count() == 6


@pytest.mark.django_db
def test_the_relay_expands_and_sends_the_mail_in_the_readers_zone(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    tokyo = UserFactory(time_zone="Asia/Tokyo", language="de")
    notify_many([_request("e:tokyo", [tokyo], when_at=NOW)], now=NOW, deferred=True)
    assert services.notification_relay() == 1
    (message,) = mail.outbox
    assert "18:00" in message.body  # 09:00 UTC, stored as JSON, read back as a time and shown in Tokyo's zone
    assert Notification.objects.filter(recipient=tokyo, channel=Channel.IN_APP).exists()


@pytest.mark.django_db
def test_preferences_apply_when_expanded():
    quiet, eager = UserFactory(), UserFactory()
    NotificationPreferenceFactory(user=quiet, category=NEWS, delivery="off")
    notify_many([_request("news:1", [quiet, eager], category=NEWS)], now=NOW, deferred=True)
    fanout_expand(now=NOW)
    assert _rows() == _expected(["news:1"], [eager])


@pytest.mark.django_db
def test_an_unknown_category_fails_the_writer_at_once():
    with pytest.raises(ValueError, match="Unknown notification category"):
        notify_many([_request("e:1", [UserFactory()], category="nope")], deferred=True)
    assert not NotificationFanout.objects.exists()


@pytest.mark.django_db
def test_a_row_that_fails_to_expand_records_its_error_and_the_others_go_on(settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    person = UserFactory()
    notify_many([_request("good", [person]), _request("bad", [person])], now=NOW, deferred=True)
    # A category no app registers any more (removed since the event): the bad row cannot be expanded.
    NotificationFanout.objects.filter(event="bad").update(category="gone")
    assert fanout_expand_batch(now=NOW) == 2
    assert _rows() == _expected(["good"], [person])
    bad = NotificationFanout.objects.get(event="bad")
    assert (bad.status, bad.attempts) == (FanoutStatus.PENDING, 1) and "gone" in bad.last_error
    assert bad.next_attempt_at > NOW  # backed off: not claimed again at once
    assert fanout_expand_batch(now=NOW) == 0
    fanout_expand_batch(now=bad.next_attempt_at)
    assert NotificationFanout.objects.get(event="bad").status == FanoutStatus.FAILED


# PostgreSQL: one INSERT per batch whatever its size (SQLite's bulk_create splits by its parameter limit).
@pytest.mark.postgres
@pytest.mark.django_db
def test_expansion_runs_the_same_queries_for_few_and_many_rows(settings):
    settings.NOTIFICATIONS_FANOUT_BATCH = 500

    def expand(count, prefix):
        people = UserFactory.create_batch(3)
        notify_many([_request(f"{prefix}:{n}", people) for n in range(count)], now=NOW, deferred=True)
        with CaptureQueriesContext(connection) as captured:
            assert fanout_expand_batch(now=NOW) == count
        return sum(1 for q in captured.captured_queries if "SAVEPOINT" not in q["sql"])

    assert expand(2, "few") == expand(40, "many")
    assert Notification.objects.count() == (2 + 40) * 3 * 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_relay_killed_mid_expansion_loses_nothing_and_doubles_nothing():
    """The relay's connection dies after it wrote the outbox rows and before it marked its rows expanded (a worker
    SIGKILLed there: PostgreSQL sees its connection drop). Nothing of it stays; the next relay writes every row,
    once."""
    people = UserFactory.create_batch(3)
    events = [f"killed:{n}" for n in range(30)]
    notify_many([_request(event, people) for event in events], now=NOW, deferred=True)
    written, resume, outcome = threading.Event(), threading.Event(), []
    original = services.fanout._write_outbox

    def write_then_die(*args, **kwargs):
        result = original(*args, **kwargs)
        outcome.append(connection.connection.info.backend_pid)
        written.set()
        resume.wait(30)  # killed here, before the rows are marked expanded and the transaction commits
        return result

    def relay():
        services.fanout._write_outbox = write_then_die
        try:
            fanout_expand_batch(now=NOW)
        except OperationalError as error:
            outcome.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=relay)
    try:
        thread.start()
        assert written.wait(30), "the relay never reached the middle of its expansion"
        with connection.cursor() as cursor:
            # Its rows exist inside its transaction only.
            cursor.execute("SELECT count(*) FROM notifications_notification")
            assert cursor.fetchone()[0] == 0
            cursor.execute("SELECT pg_terminate_backend(%s)", [outcome[0]])
        resume.set()
        thread.join(30)
    finally:
        services.fanout._write_outbox = original
        resume.set()
    assert isinstance(outcome[-1], OperationalError), outcome
    assert not Notification.objects.exists()
    assert NotificationFanout.objects.filter(status=FanoutStatus.PENDING).count() == len(events)

    assert fanout_expand(now=NOW + timedelta(seconds=1)) == len(events)
    assert _rows() == _expected(events, people)
    assert Notification.objects.count() == len(events) * 3 * 2
    # And a relay that expands the same rows again (a stale claim) writes nothing twice.
    NotificationFanout.objects.update(status=FanoutStatus.PENDING)
    fanout_expand(now=NOW + timedelta(seconds=2))
    assert Notification.objects.count() == len(events) * 3 * 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_relays_at_once_expand_each_row_once(settings):
    settings.NOTIFICATIONS_FANOUT_BATCH = 7
    people = UserFactory.create_batch(2)
    events = [f"race:{n}" for n in range(60)]
    notify_many([_request(event, people) for event in events], now=NOW, deferred=True)
    errors = []

    def relay():
        try:
            fanout_expand(now=NOW, time_budget=60)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=relay) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert Notification.objects.count() == len(events) * 2 * 2
    assert not NotificationFanout.objects.exclude(status=FanoutStatus.EXPANDED).exists()


_COMPARED = (
    "event",
    "dedupe_key",
    "category",
    "channel",
    "status",
    "recipient_id",
    "to_email",
    "template",
    "language",
    "subject",
    "context",
    "url",
    "target_type_id",
    "target_id",
    "created_at",
    "next_attempt_at",
    "sent_at",
    "attempts",
)


def _outbox() -> set[tuple]:
    return {tuple(str(value) for value in row) for row in Notification.objects.values_list(*_COMPARED)}


@pytest.mark.django_db
def test_the_expansion_writes_exactly_the_rows_notify_many_writes():
    """Preferences, channels, inactive people, bare addresses, languages and zones: the relay's set-based expansion
    applies the same rule as the ordinary path and writes the same rows, dedupe keys and subjects included."""
    polish = UserFactory(language="pl", time_zone="Europe/Warsaw")
    german = UserFactory(language="de", time_zone="Europe/Berlin")
    digest, quiet, gone = UserFactory(), UserFactory(), UserFactory(is_active=False)
    for person, delivery in ((digest, "digest"), (quiet, "off")):
        NotificationPreferenceFactory(user=person, category=NEWS, delivery=delivery)
        NotificationPreferenceFactory(user=person, category=ALARM, delivery=delivery)
    everyone = [polish, german, digest, quiet, gone, "Outside@Example.com"]

    def requests():
        return [
            NotifyRequest(
                event=f"flag:{n}",
                recipients=[*everyone, polish],  # named twice: told once
                category=category,
                template="escalations/email/flag",
                context={"kind": kind, "title": f"Late orders {n}\n100%", "level": 2, "level_name": "CSM", "at": NOW},
                target=polish,
                url=f"/flags/{n}/",
                channels=channels,
                force_immediate=force,
                language="de",
            )
            for n, (category, kind, channels, force) in enumerate(
                [
                    (NEWS, "escalated", (Channel.EMAIL, Channel.IN_APP), False),
                    (NEWS, "renotify", (Channel.EMAIL,), False),
                    (NEWS, "escalated_client", (Channel.IN_APP,), True),
                    (ALARM, "escalated", (Channel.EMAIL, Channel.IN_APP), False),  # mandatory: preferences ignored
                ]
            )
        ]

    notify_many(requests(), now=NOW)
    ordinary = _outbox()
    Notification.objects.all().delete()
    notify_many(requests(), now=NOW, deferred=True)
    assert fanout_expand(now=NOW + timedelta(minutes=5)) == 4
    assert _outbox() == ordinary
    mail = Notification.objects.filter(event="flag:0", channel=Channel.EMAIL)
    subjects = dict(mail.values_list("to_email", "subject"))
    assert subjects[polish.email].startswith("Czerwona flaga eskalowana na poziom 2 (CSM): Late orders 0 100%")
    assert subjects[german.email].startswith("Red Flag auf Stufe 2 (CSM) eskaliert: Late orders 0 100%")
    assert subjects["outside@example.com"] == subjects[german.email]  # no account: the request's language
    assert digest.email in subjects and quiet.email not in subjects and gone.email not in subjects


@pytest.mark.django_db
def test_a_digest_is_scheduled_for_mail_held_by_the_expansion():
    person = UserFactory()
    NotificationPreferenceFactory(user=person, category=NEWS, delivery="digest")
    notify_many([_request("news:held", [person], category=NEWS)], now=NOW, deferred=True)
    fanout_expand(now=NOW)
    assert Notification.objects.get(channel=Channel.EMAIL).status == Status.HELD
    assert Reminder.objects.filter(key=f"digest:{person.pk}", status="pending").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("slice_seconds", "pending_at_first_mail"), [(60.0, 0), (0.0, 4)])
def test_the_relay_expands_fan_outs_for_a_slice_of_time_before_it_sends_mail(
    monkeypatch, settings, slice_seconds, pending_at_first_mail
):
    # After an outage thousands of fan-outs wait: one batch of mail (seconds over SMTP) between every two fan-out
    # batches (milliseconds) kept most of the outbox unwritten for minutes. Mail still gets its turn after a slice.
    settings.NOTIFICATIONS_FANOUT_BATCH = 2
    settings.NOTIFICATIONS_FANOUT_SLICE = slice_seconds
    people = UserFactory.create_batch(2)
    notify_many([_request(f"outage:{n}", people) for n in range(6)], now=NOW, deferred=True)
    pending_when_mail_went = []
    claim = services.relay.notification_claim_batch

    def claim_and_count(**kwargs):
        pending_when_mail_went.append(NotificationFanout.objects.filter(status=FanoutStatus.PENDING).count())
        return claim(**kwargs)

    monkeypatch.setattr(services.relay, "notification_claim_batch", claim_and_count)
    services.notification_relay(now=NOW)
    assert pending_when_mail_went[0] == pending_at_first_mail
    assert not NotificationFanout.objects.filter(status=FanoutStatus.PENDING).exists()
    assert len(mail.outbox) == 6 * 2  # every email row sent in the end


@pytest.mark.django_db
def test_expanded_fan_outs_are_purged_after_their_keep_days_and_nothing_is_told_twice(settings):
    settings.NOTIFICATIONS_FANOUT_KEEP_DAYS = 30
    settings.NOTIFICATIONS_FANOUT_PURGE_BATCH = 2  # several batches
    people = UserFactory.create_batch(2)
    notify_many([_request(f"old:{n}", people) for n in range(5)], now=NOW, deferred=True)
    assert fanout_expand(now=NOW) == 5
    notify_many([_request("recent", people)], now=NOW + timedelta(days=2), deferred=True)
    assert fanout_expand(now=NOW + timedelta(days=2)) == 1
    notify_many([_request("waiting", people)], now=NOW, deferred=True)  # still pending: kept whatever its age
    NotificationFanout.objects.filter(event="waiting").update(next_attempt_at=NOW + timedelta(days=365))
    outbox = Notification.objects.count()

    later = NOW + timedelta(days=31)
    assert services.fanout_purge(now=later) == 5
    assert set(NotificationFanout.objects.values_list("event", flat=True)) == {"recent", "waiting"}
    assert Notification.objects.count() == outbox  # the outbox rows stay
    # The same event written again after its row went: a new fan-out row, whose expansion writes nothing twice.
    notify_many([_request("old:0", people)], now=later, deferred=True)
    assert fanout_expand(now=later) == 1
    assert Notification.objects.count() == outbox
    assert services.fanout_purge(now=later) == 0
