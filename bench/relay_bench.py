"""Benchmark of the relay's expansion of deferred fan-out rows into outbox rows, on PostgreSQL.

    python bench/relay_bench.py            # uses postgres://postgres@127.0.0.1:5432, database op_bench_relay

Creates its own database (dropped at the end), seeds 600 people (English, Polish and German readers in several
zones, some with a digest or an "off" preference) and 100,000 pending fan-out rows of escalated red flags, two
recipients each (as a sweep after an outage writes them), then times the relay expanding them all into their outbox
rows (a row per recipient and channel, each subject in its reader's language and zone). Prints the time, the outbox
rows per second, the ratio to a baseline measured in the same run (one ``SELECT 1`` round trip) and to the ordinary
``notify_many`` writing the same events' rows in the same run (what the relay called per batch before it expanded
set-based), plus the query count of one claimed batch at two sizes (which must be the same: asserted).

``BENCH_ROWS=n`` changes the number of fan-out rows; ``BENCH_PROFILE=1`` profiles the expansion.
"""

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from _harness import SERVER, in_fresh_database, round_trip_baseline  # noqa: E402 (bench/ is on sys.path)

DB_NAME = os.environ.get("BENCH_DB", "op_bench_relay")
ROWS = int(os.environ.get("BENCH_ROWS", "100000"))

os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
os.environ["EMAIL_URL"] = "dummymail://"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding_portal.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

TEMPLATE = "escalations/email/flag"
LANGUAGES = ("en", "pl", "de")
ZONES = ("UTC", "Europe/Warsaw", "Europe/Berlin", "America/New_York")


def main() -> None:
    in_fresh_database(DB_NAME, run)


def seed_people():
    from accounts.models import Organization, OrganizationKind, Role, User
    from notifications.models import NotificationPreference

    vendor = Organization.objects.create(name="Vendor", slug="vendor", kind=OrganizationKind.VENDOR)
    people = User.objects.bulk_create(
        User(
            email=f"person{n}@example.com",
            full_name=f"Person {n}",
            language=LANGUAGES[n % 3],
            time_zone=ZONES[n % 4],
            is_active=n % 97 != 0,
            organization=vendor,
            role=Role.PM,
        )
        for n in range(600)
    )
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user=person, category="escalation", delivery="digest" if n % 20 == 1 else "off")
        for n, person in enumerate(people)
        if n % 20 in (1, 2)
    )
    return people


def requests_for(people, start, count, now):
    from notifications.services import NotifyRequest

    return [
        NotifyRequest(
            event=f"escalation:{n}:1:2:0:{'staff' if n % 2 else 'client'}",
            recipients=[people[n % 600], people[(n * 7 + 1) % 600]],
            category="escalation",
            template=TEMPLATE,
            context={
                "kind": "escalated" if n % 2 else "escalated_client",
                "title": f"Complaint {n}: orders are not arriving",
                "engagement_name": f"Engagement {n % 1000}",
                "severity": "high",
                "level": 2,
                "level_name": "CSM or delivery manager",
                "reason": "ack",
                "due_at": now + timedelta(hours=4),
            },
            target=people[n % 600],
            url=f"/flags/{n}/",
        )
        for n in range(start, start + count)
    ]


def run() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from notifications.models import FanoutStatus, Notification, NotificationFanout, Reminder
    from notifications.services import fanout_expand, fanout_expand_batch, notify_many

    call_command("migrate", verbosity=0)
    now = timezone.now()
    people = seed_people()

    baseline = round_trip_baseline()
    print(f"Baseline: SELECT 1 round trip = {baseline * 1000:.3f} ms")

    # Query count of one batch at two sizes (and a warm-up: templates, translations, content types).
    counts = {}
    for size, offset in ((10, 10_000_000), (200, 20_000_000)):
        with transaction.atomic():
            notify_many(requests_for(people, offset, size, now), now=now, deferred=True)
        with CaptureQueriesContext(connection) as queries:
            assert fanout_expand_batch(now=now, limit=size) == size
        counts[size] = sum(1 for q in queries.captured_queries if "SAVEPOINT" not in q["sql"])
    print(f"One batch of 10 and of 200 fan-out rows: {counts[10]} and {counts[200]} queries")
    assert counts[10] == counts[200], counts
    Notification.objects.all().delete()
    NotificationFanout.objects.all().delete()

    # The same requests written through the ordinary ``notify_many`` (a subject rendered per request and reader, a
    # row object per outbox row), in batches as the relay used to expand them: the reference for the ratio below.
    start = time.perf_counter()
    for offset in range(0, ROWS, 200):
        with transaction.atomic():
            notify_many(requests_for(people, offset, min(200, ROWS - offset), now), now=now)
    ordinary = time.perf_counter() - start
    ordinary_rows = Notification.objects.count()
    print(
        f"The ordinary notify_many wrote the same {ROWS:,} events' {ordinary_rows:,} outbox rows in {ordinary:.2f} s"
        f" ({ordinary_rows / ordinary:,.0f} outbox rows/s; building the requests included)"
    )
    Notification.objects.all().delete()
    Reminder.objects.all().delete()

    for start in range(0, ROWS, 10_000):
        with transaction.atomic():
            notify_many(requests_for(people, start, min(10_000, ROWS - start), now), now=now, deferred=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE notifications_notification")
        cursor.execute("VACUUM ANALYZE notifications_notificationfanout")
    print(f"Seeded {ROWS:,} pending fan-out rows (2 recipients each, 600 people in 3 languages and 4 zones)")

    start = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        expanded = profile.runcall(fanout_expand, now=now, time_budget=3600)
        pstats.Stats(profile).sort_stats(os.environ.get("BENCH_SORT", "tottime")).print_stats(35)
    elif os.environ.get("BENCH_QUERIES"):
        from collections import Counter

        with CaptureQueriesContext(connection) as queries:
            expanded = fanout_expand(now=now, time_budget=3600)
        spent = Counter()
        for query in queries.captured_queries:
            spent[query["sql"][:60]] += float(query["time"])
        for sql, seconds in spent.most_common(6):
            print(f"  {seconds:6.2f} s  {sql}")
    else:
        expanded = fanout_expand(now=now, time_budget=3600)
    elapsed = time.perf_counter() - start
    rows = Notification.objects.count()
    assert expanded == ROWS and not NotificationFanout.objects.exclude(status=FanoutStatus.EXPANDED).exists()
    print(
        f"Expanded {ROWS:,} fan-out rows into {rows:,} outbox rows in {elapsed:.2f} s"
        f" ({rows / elapsed:,.0f} outbox rows/s, {ROWS / elapsed:,.0f} fan-out rows/s,"
        f" {elapsed / baseline:,.0f}x baseline; {ordinary / elapsed:.1f}x faster than the ordinary path)"
    )
    assert rows == ordinary_rows, (rows, ordinary_rows)


if __name__ == "__main__":
    main()
