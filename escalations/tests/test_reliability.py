"""The escalation timers under faults, with real Celery worker and beat processes (never eager mode), PostgreSQL and
Redis: a worker SIGKILLed mid-sweep, two sweeps at once, beat running twice, the test's own redis-server restarted,
acknowledgements racing the deadline. Each test injects the fault, lets the system recover, then checks the
invariants in SQL (``invariants.py``)."""

import random
import re
import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from escalations import services
from escalations.models import RedFlag
from notifications.tests.processes import (
    SHARED_REDIS_URL,
    Celery,
    RedisServer,
    SmtpSink,
    flush_shared_redis,
    wait_for,
)

from .invariants import assert_invariants, due_flags, escalation_count, fanouts_not_expanded, sql

pytestmark = [pytest.mark.postgres, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def fast_sweep_ticks(every: int = 1) -> None:
    """The escalation sweep's beat row (made after migrate) ticks every second for the test."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=IntervalSchedule.SECONDS)
    updated = PeriodicTask.objects.filter(task="escalations.sweep").update(interval=interval, expire_seconds=every)
    assert updated == 1, "the escalation sweep's periodic task must exist after migrate"
    # The relay is not under test here; keep it out of the way.
    PeriodicTask.objects.filter(task__startswith="notifications.").update(enabled=False)


def _all_escalated(flag_ids):
    return lambda: escalation_count(flag_ids) == len(flag_ids)


def test_a_worker_killed_mid_sweep_loses_and_repeats_nothing():
    flush_shared_redis()
    fast_sweep_ticks()
    flag_ids = due_flags(400)
    with (
        SmtpSink() as smtp,
        Celery(broker_url=SHARED_REDIS_URL, smtp_port=smtp.port, ESCALATIONS_SWEEP_BATCH=5) as celery,
    ):
        worker = celery.worker("w1")
        celery.beat()
        try:
            wait_for(lambda: escalation_count(flag_ids) >= 40, 90, interval=0.05, what="the sweep to be mid-way")
        except AssertionError:
            raise AssertionError(celery.logs()) from None
        Celery.kill(worker)  # SIGKILL to the worker and its pool child, in the middle of a batch
        at_kill = escalation_count(flag_ids)
        assert at_kill < len(flag_ids), "the kill must fall in the middle of the sweep"
        celery.worker("w2")
        try:
            wait_for(_all_escalated(flag_ids), 120, what="every flag to escalate after the restart")
            # The relay (kicked after each sweep batch commits) expands who must be told into the outbox rows.
            wait_for(lambda: not fanouts_not_expanded(), 120, what="the relay to expand every fan-out row")
        except AssertionError:
            raise AssertionError(celery.logs()) from None
    assert_invariants(flag_ids, expected_escalations=len(flag_ids))
    assert sql("SELECT count(*) FROM escalations_redflag WHERE id = ANY(%s) AND level = 2", [flag_ids]) == [
        (len(flag_ids),)
    ]


def test_two_sweeps_at_once_escalate_each_flag_once():
    flush_shared_redis()
    fast_sweep_ticks()
    flag_ids = due_flags(300)
    with (
        SmtpSink() as smtp,
        Celery(broker_url=SHARED_REDIS_URL, smtp_port=smtp.port, ESCALATIONS_SWEEP_BATCH=20) as celery,
    ):
        # Two workers of two processes each: up to four sweeps at the same moment.
        celery.worker("w1", concurrency=2)
        celery.worker("w2", concurrency=2)
        from celery import current_app as app

        with app.connection_for_write(SHARED_REDIS_URL) as conn:
            for _ in range(8):
                app.send_task("escalations.sweep", connection=conn)
        celery.beat()
        try:
            wait_for(_all_escalated(flag_ids), 120, what="every flag to escalate")
        except AssertionError:
            raise AssertionError(celery.logs()) from None
        time.sleep(2)  # more ticks and the queued sweeps: nothing more may happen
    assert_invariants(flag_ids, expected_escalations=len(flag_ids))


def test_a_backlog_is_shared_by_the_tick_and_the_worker_it_asks_to_help():
    flush_shared_redis()
    flag_ids = due_flags(1200)
    with (
        SmtpSink() as smtp,
        Celery(broker_url=SHARED_REDIS_URL, smtp_port=smtp.port, ESCALATIONS_SWEEP_BATCH=20) as celery,
    ):
        celery.worker("w1")
        celery.worker("w2")
        from celery import current_app as app

        with app.connection_for_write(SHARED_REDIS_URL) as conn:
            app.send_task("escalations.sweep", connection=conn)  # one tick, as beat sends it
        try:
            wait_for(_all_escalated(flag_ids), 120, what="every flag to escalate")
            wait_for(lambda: not fanouts_not_expanded(), 120, what="the relay to expand every fan-out row")
        except AssertionError:
            raise AssertionError(celery.logs()) from None
        time.sleep(1)  # the workers log the sweeps' results
        logs = {p.log_path.stem: p.log_path.read_text() for p in celery.processes}
    # Each worker swept part of the backlog (a sweep task logs how many flags it claimed).
    swept = {
        name: sum(int(n) for n in re.findall(r"escalations\.sweep\[[^\]]+\] succeeded in [^:]+: (\d+)", log))
        for name, log in logs.items()
    }
    assert sum(swept.values()) == len(flag_ids), (swept, celery.logs())
    assert all(count > 0 for count in swept.values()), swept
    assert_invariants(flag_ids, expected_escalations=len(flag_ids))


def test_sweeps_in_several_threads_escalate_each_flag_once():
    flag_ids = due_flags(500)
    errors = []

    def sweep():
        try:
            services.escalation_sweep(now=timezone.now(), time_budget=60)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert_invariants(flag_ids, expected_escalations=len(flag_ids))


def test_beat_running_twice_escalates_each_flag_once():
    flush_shared_redis()
    fast_sweep_ticks()
    flag_ids = due_flags(200)
    with (
        SmtpSink() as smtp,
        Celery(broker_url=SHARED_REDIS_URL, smtp_port=smtp.port, ESCALATIONS_SWEEP_BATCH=10) as celery,
    ):
        celery.worker("w1", concurrency=2)
        celery.beat()
        celery._start("beat", "--loglevel=INFO", f"--pidfile={celery.tmp / 'beat2.pid'}", name="beat2")
        try:
            wait_for(_all_escalated(flag_ids), 120, what="every flag to escalate")
        except AssertionError:
            raise AssertionError(celery.logs()) from None
        # Both beats kept ticking (their logs say so), yet nothing happened twice.
        time.sleep(3)
        logs = celery.logs()
        assert logs.count("beat: Starting") >= 2 or logs.count("Scheduler: Sending due task") >= 2, logs
    assert_invariants(flag_ids, expected_escalations=len(flag_ids))


def test_flags_due_while_redis_is_down_escalate_once_it_returns():
    fast_sweep_ticks()
    with (
        RedisServer() as redis_server,
        SmtpSink() as smtp,
        Celery(broker_url=redis_server.url, smtp_port=smtp.port) as celery,
    ):
        celery.worker("w1")
        celery.beat()
        warmup = due_flags(5, prefix="Warm-up")
        wait_for(_all_escalated(warmup), 60, what="the system to work before the outage")
        redis_server.stop()
        time.sleep(1.5)
        flag_ids = due_flags(100, prefix="During the outage")
        time.sleep(2)
        assert escalation_count(flag_ids) == 0, "nothing can be swept while the broker is down"
        redis_server.start()  # same port, empty: every queued tick is gone
        try:
            wait_for(_all_escalated(flag_ids), 90, what="escalations after Redis returned")
        except AssertionError:
            raise AssertionError(celery.logs()) from None
    assert_invariants([*warmup, *flag_ids], expected_escalations=105)


def test_acknowledgements_racing_the_deadline_never_both_win():
    flag_ids = due_flags(120, due_in=timedelta(seconds=1.5))
    staff = RedFlag.objects.select_related("engagement__pm").get(pk=flag_ids[0]).engagement.pm
    stop = threading.Event()
    acknowledged, refused, errors = [], [], []

    def sweeper():
        try:
            while not stop.is_set():
                services.escalation_sweep(now=timezone.now(), time_budget=5)
                time.sleep(random.uniform(0, 0.05))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    def acknowledger(ids):
        try:
            for flag_id in ids:
                time.sleep(random.uniform(0, 0.03))
                try:
                    services.flag_acknowledge(flag=flag_id, by=staff, expected_level=1)
                except ValidationError:
                    refused.append(flag_id)  # the deadline's escalation won the lock first
                else:
                    acknowledged.append(flag_id)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    shuffled = random.sample(flag_ids, len(flag_ids))
    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    threads += [threading.Thread(target=acknowledger, args=(shuffled[n::3],)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads[2:]:
        thread.join(timeout=120)
    time.sleep(0.5)
    stop.set()
    for thread in threads[:2]:
        thread.join(timeout=60)
    services.escalation_sweep(now=timezone.now())
    assert errors == []
    # Some acknowledgements came before the deadline and some after: the race really happened.
    assert acknowledged and refused, (len(acknowledged), len(refused))
    assert set(acknowledged) | set(refused) == set(flag_ids) and not set(acknowledged) & set(refused)
    escalated = {flag_id for (flag_id,) in sql("SELECT DISTINCT flag_id FROM escalations_escalation")}
    # Exactly one of the two won for every flag: acknowledged flags never escalated, refused ones all did.
    assert escalated == set(refused)
    assert_invariants(flag_ids, expected_escalations=len(refused))
