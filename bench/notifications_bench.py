"""Benchmark of the reminders sweep and the notification relay on PostgreSQL.

    python bench/notifications_bench.py            # uses postgres://postgres@127.0.0.1:5432, database op_bench_ntf

Creates its own database (dropped at the end), seeds 100,000 future reminders and 1,000 due ones, and prints:
the idle sweep's time with EXPLAIN of its claim (an index scan on the partial index), one sweep's time and query
count for 100 and for 1,000 due (the count must not grow: batching), and the end-to-end time to clear 100,000
reminders due at once (sweep, outbox rows, email relay to a dummy backend). Every time is also given as a ratio
to a baseline measured in the same run: one ``SELECT 1`` round trip.
"""

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from _harness import SERVER, against, in_fresh_database, round_trip_baseline, timed  # noqa: E402 (bench/ is on sys.path)

DB_NAME = os.environ.get("BENCH_DB", "op_bench_ntf")
FUTURE, DUE, OUTAGE = (int(n) for n in os.environ.get("BENCH_SIZES", "100000,1000,100000").split(","))

os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
os.environ["EMAIL_URL"] = "dummymail://"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding_portal.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def main() -> None:
    in_fresh_database(DB_NAME, run)


def run() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Organization, OrganizationKind, User
    from notifications import services
    from notifications.handlers import MESSAGE_KIND
    from notifications.models import Category, Notification, Reminder, ReminderStatus

    call_command("migrate", verbosity=0)
    settings.REMINDERS_SWEEP_BATCH = 1000
    settings.NOTIFICATIONS_RELAY_BATCH = 200
    now = timezone.now()
    vendor = Organization.objects.create(name="Vendor", slug="vendor", kind=OrganizationKind.VENDOR)
    users = User.objects.bulk_create(
        User(email=f"user{n}@example.com", full_name=f"User {n}", organization=vendor, role="csm") for n in range(100)
    )

    def reminders(count, due_at, prefix):
        return [
            Reminder(
                key=f"{prefix}:{n}",
                kind=MESSAGE_KIND,
                due_at=due_at + timedelta(seconds=n % 3600),
                payload={"user_ids": [users[n % len(users)].pk], "title": f"Reminder {n}", "category": Category.DIGEST},
            )
            for n in range(count)
        ]

    print(f"Seeding {FUTURE:,} future reminders ...", flush=True)
    Reminder.objects.bulk_create(reminders(FUTURE, now + timedelta(days=1), "future"), batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE notifications_reminder")

    baseline = round_trip_baseline()
    print(f"\nBaseline: SELECT 1 round trip = {baseline * 1000:.3f} ms")

    def ratio(seconds):
        return against(seconds, baseline)

    # Idle sweep: nothing due among 100,000 pending rows.
    services.reminder_sweep_batch(now=now)
    idle, _ = timed(lambda: services.reminder_sweep_batch(now=now), repeat=200)
    with CaptureQueriesContext(connection) as idle_queries:
        services.reminder_sweep_batch(now=now)
    print(f"Idle sweep (100,000 pending, none due): {ratio(idle)}, {len(idle_queries)} queries")
    with transaction.atomic():
        claim = (
            Reminder.objects.filter(status=ReminderStatus.PENDING, due_at__lte=now)
            .order_by("due_at")
            .select_for_update(skip_locked=True)[:1000]
        )
        sql, params = claim.query.get_compiler(using="default").as_sql()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
    print("EXPLAIN of the claim:\n    " + "\n    ".join(plan))
    assert any("reminder_pending_due" in line for line in plan), "the claim must use the partial index"

    # One sweep for 100 and for 1,000 due: same number of queries.
    for count in (100, DUE):
        Reminder.objects.bulk_create(reminders(count, now - timedelta(hours=2), f"due{count}"), batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE notifications_reminder")
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            if os.environ.get("BENCH_PROFILE") and count == DUE:
                import cProfile
                import pstats

                profile = cProfile.Profile()
                fired = profile.runcall(services.reminder_sweep_batch, now=now)
                pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            else:
                fired = services.reminder_sweep_batch(now=now)
            elapsed = time.perf_counter() - start
        assert fired == count, fired
        print(f"One sweep of {count:>5,} due: {ratio(elapsed)}, {len(queries)} queries")

    if os.environ.get("BENCH_PROFILE") == "relay":
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(services.notification_relay, now=now, time_budget=3600)
        pstats.Stats(profile).sort_stats("tottime").print_stats(20)
        return
    relay_time, relayed = timed(lambda: services.notification_relay(now=now, time_budget=3600))
    print(f"Relay of their {relayed:,} emails (dummy backend, batches of 200): {ratio(relay_time)}")

    # An outage: 100,000 reminders due at once. Clear them end to end (sweep, outbox, relay).
    if os.environ.get("BENCH_PROFILE"):
        return
    Reminder.objects.filter(key__startswith="future:").update(due_at=now - timedelta(minutes=5))
    Notification.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE notifications_reminder")
    start = time.perf_counter()
    swept = services.reminder_sweep(now=now, time_budget=3600)
    sweep_time = time.perf_counter() - start
    sent = services.notification_relay(now=now, time_budget=3600)
    total = time.perf_counter() - start
    assert swept == OUTAGE and sent == OUTAGE, (swept, sent)
    assert not Reminder.objects.filter(status=ReminderStatus.PENDING, due_at__lte=now).exists()
    duplicates = Notification.objects.values("dedupe_key").order_by().annotate(n=django.db.models.Count("pk"))
    assert not duplicates.filter(n__gt=1).exists()
    print(
        f"Outage: {OUTAGE:,} due at once: sweep {sweep_time:.1f} s ({OUTAGE / sweep_time:,.0f} reminders/s, "
        f"{sweep_time / baseline:,.0f}x baseline); with the relay of {sent:,} emails {total:.1f} s "
        f"({OUTAGE / total:,.0f}/s end to end)"
    )


if __name__ == "__main__":
    main()
