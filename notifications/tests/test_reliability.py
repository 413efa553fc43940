"""Reliability under faults, with real Celery worker and beat processes, a real SMTP server, PostgreSQL and
Redis. Each test injects a fault, lets the system recover, then checks the invariants in SQL."""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from notifications import services
from notifications.handlers import MESSAGE_KIND
from notifications.models import Category
from notifications.services import GENERIC_TEMPLATE

from .processes import SHARED_REDIS_URL, Celery, RedisServer, SmtpSink, fast_ticks, flush_shared_redis, sql, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _pending_emails(count: int, prefix: str = "person") -> list:
    users = [UserFactory(email=f"{prefix}{n}@example.com") for n in range(count)]
    for n, user in enumerate(users):
        services.notify(
            event=f"test.kill:{n}",
            recipients=[user],
            category=Category.DIGEST,
            template=GENERIC_TEMPLATE,
            context={"title": f"Item {n} is due"},
        )
    return users


def _assert_no_duplicate_keys():
    assert sql("SELECT dedupe_key FROM notifications_notification GROUP BY dedupe_key HAVING count(*) > 1") == []
    assert (
        sql("SELECT event, recipient_id, channel FROM notifications_notification GROUP BY 1, 2, 3 HAVING count(*) > 1")
        == []
    )


def _email_status_counts() -> dict:
    return dict(sql("SELECT status, count(*) FROM notifications_notification WHERE channel = 'email' GROUP BY status"))


def test_a_worker_killed_mid_delivery_resends_only_the_unmarked_message_with_the_same_message_id():
    flush_shared_redis()
    fast_ticks()
    _pending_emails(30)
    with SmtpSink(delay=0.1) as smtp, Celery(broker_url=SHARED_REDIS_URL, smtp_port=smtp.port) as celery:
        worker = celery.worker("w1")
        celery.beat()
        wait_for(lambda: len(smtp.keys()) >= 6, 60, what="the relay to be mid-way")
        Celery.kill(worker)  # SIGKILL to the worker and its pool child, mid-sweep
        received_before_kill = set(smtp.keys())
        sending_at_kill = {
            key for (key,) in sql("SELECT dedupe_key FROM notifications_notification WHERE status = 'sending'")
        }
        assert len(received_before_kill) < 30, "the kill must fall in the middle of the sweep"
        celery.worker("w2")
        try:
            wait_for(lambda: _email_status_counts() == {"sent": 30}, 60, what="every email to be sent")
        except AssertionError:
            raise AssertionError(celery.logs()) from None
    _assert_no_duplicate_keys()
    all_keys = {key for (key,) in sql("SELECT dedupe_key FROM notifications_notification WHERE channel = 'email'")}
    counts = Counter(smtp.keys())
    assert set(counts) == all_keys, "every due notification was sent"
    resent = {key for key, n in counts.items() if n > 1}
    # Only a message sent but not yet marked when the kill came goes out again, under the same Message-ID.
    assert resent <= (sending_at_kill & received_before_kill)
    assert len(resent) <= 1
    assert all(n <= 2 for n in counts.values())


def test_two_sweeps_at_once_deliver_nothing_twice():
    flush_shared_redis()
    fast_ticks()
    users = UserFactory.create_batch(4)
    now = timezone.now()
    for n in range(40):
        services.reminder_schedule(
            key=f"meeting:{n}",
            kind=MESSAGE_KIND,
            due_at=now - timedelta(seconds=1),
            # A category the worker processes know too (the tests' own exist only in this process).
            payload={
                "user_ids": [users[n % 4].pk],
                "title": f"Steering meeting {n} starts soon",
                "category": Category.DIGEST,
            },
        )
    with SmtpSink(delay=0.01) as smtp, Celery(broker_url=SHARED_REDIS_URL, smtp_port=smtp.port) as celery:
        # Two workers of two processes each: up to four sweeps and relays run at the same moment.
        celery.worker("w1", concurrency=2)
        celery.worker("w2", concurrency=2)
        celery.beat()
        from celery import current_app as app

        with app.connection_for_write(SHARED_REDIS_URL) as conn:
            for _ in range(8):
                app.send_task("notifications.reminders_sweep", connection=conn)
                app.send_task("notifications.relay", connection=conn)
        try:
            wait_for(lambda: len(smtp.keys()) >= 40 and _email_status_counts() == {"sent": 40}, 60, what="delivery")
        except AssertionError:
            raise AssertionError(celery.logs()) from None
        time.sleep(2)  # more ticks: nothing more may go out
    _assert_no_duplicate_keys()
    assert sql("SELECT count(*) FROM notifications_reminder WHERE status = 'done' AND fired_count = 1") == [(40,)]
    assert sql("SELECT count(*) FROM notifications_notification") == [(80,)]  # 40 email + 40 in-app
    counts = Counter(smtp.keys())
    assert len(counts) == 40 and set(counts.values()) == {1}


def test_rows_pending_while_redis_is_down_go_out_after_it_returns():
    fast_ticks()
    with (
        RedisServer() as redis_server,
        SmtpSink() as smtp,
        Celery(broker_url=redis_server.url, smtp_port=smtp.port) as celery,
    ):
        celery.worker("w1")
        celery.beat()
        _pending_emails(1, prefix="warmup")
        wait_for(lambda: len(smtp.keys()) == 1, 30, what="the system to work before the outage")
        redis_server.stop()
        time.sleep(1.5)  # let a tick the worker had already received finish
        _pending_emails(10)  # committed while the broker is down: no kick reaches the worker
        time.sleep(2)
        assert len(smtp.keys()) == 1, "nothing can be relayed while the broker is down"
        redis_server.start()  # same port, empty: every queued message is gone
        try:
            wait_for(lambda: _email_status_counts() == {"sent": 11}, 60, what="delivery after Redis returned")
        except AssertionError:
            raise AssertionError(celery.logs()) from None
    _assert_no_duplicate_keys()
    assert len(set(smtp.keys())) == 11


def test_refused_addresses_and_smtp_failures_are_recorded_and_retried_without_blocking_others():
    flush_shared_redis()
    fast_ticks()
    good = [UserFactory(email=f"good{n}@example.com") for n in range(3)]
    bad = UserFactory(email="bad@example.com")
    flaky = UserFactory(email="flaky@example.com")
    services.notify(
        event="test.failures",
        recipients=[bad, flaky, *good],
        category=Category.DIGEST,
        template=GENERIC_TEMPLATE,
        context={"title": "Kickoff agenda is ready"},
    )
    with SmtpSink() as smtp, Celery(broker_url=SHARED_REDIS_URL, smtp_port=smtp.port) as celery:
        celery.worker("w1")
        celery.beat()
        try:
            # The temporary failure (451) is retried after its back-off and then goes out.
            wait_for(lambda: len(smtp.keys()) == 4, 40, what="good and flaky mail")
            # The refused address keeps being retried with growing back-off (1 s, 2 s, ...).
            wait_for(
                lambda: (
                    sql(
                        "SELECT attempts FROM notifications_notification WHERE to_email = %s AND channel = 'email'",
                        [bad.email],
                    )[0][0]
                    >= 2
                ),
                30,
                what="a second attempt for the refused address",
            )
        except AssertionError:
            raise AssertionError(celery.logs()) from None
    ((status, attempts, error, next_attempt_at, sent_at),) = sql(
        "SELECT status, attempts, last_error, next_attempt_at, sent_at FROM notifications_notification"
        " WHERE to_email = %s AND channel = 'email'",
        [bad.email],
    )
    assert status in ("pending", "sending") and attempts >= 2 and sent_at is None
    assert "550" in error and "No such user" in error
    ((flaky_status, flaky_attempts),) = sql(
        "SELECT status, attempts FROM notifications_notification WHERE to_email = %s AND channel = 'email'",
        [flaky.email],
    )
    assert (flaky_status, flaky_attempts) == ("sent", 2)
    assert {rcpt for _key, rcpt in smtp.received} == {flaky.email, *(u.email for u in good)}
