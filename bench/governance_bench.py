"""Benchmark: generating a year of meetings for 2,000 engagements, and a live agenda over 1,000 checklist items.

Creates its own PostgreSQL database (never the dev one) and measures, each against a baseline in the same run:

1. Generation: 2,000 engagements, each with the default plan's three series (weekly status, bi-weekly steering,
   executive review every 6 weeks) and their participants, generated a year ahead by the real periodic tick
   (``meetings_top_up`` with a 52-week horizon: batches claimed with SKIP LOCKED, recurrence in the series' time
   zone, one reminder row per meeting). Baseline: inserting the same number of bare meeting rows (already
   computed) with ``bulk_create``, i.e. the unavoidable cost of writing them.
2. A live agenda: one engagement with 1,000 checklist items (400 of them overdue) and its next weekly meeting:
   the meeting page as a preview (the live data computed on the fly), preparing the agenda (1,000 items read,
   the overdue ones written as agenda rows), and the prepared meeting page; medians of the full Django request
   cycle and query counts, against a trivial one-query view.

    /work/main/.venv/bin/python bench/governance_bench.py [--runs 20] [--keep]

``BENCH_DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/op_bench_gov) names the database; it is
dropped and created again, so never point it at data you want.
"""

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.engagements_bench import (  # noqa: E402
    count_queries,
    drop_database,
    median_ms,
    start,
    trivial_urlconf,
)

ENGAGEMENTS, CLIENTS, PMS = 2_000, 1_000, 25
AGENDA_ITEMS, AGENDA_OVERDUE = 1_000, 400
BATCH = 5_000
# A fixed Monday, so the figures do not depend on the day the bench runs.
NOW = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)


def seed_plans():
    """2,000 engagements with three series each (copied from the shipped cadences) and their participants."""
    from accounts.models import Organization, OrganizationKind, Role, User
    from engagements.models import Engagement, Phase, Side
    from governance.models import CadenceTemplate, MeetingSeries, SeriesAgendaSection, SeriesParticipant

    vendor = Organization.objects.create(name="Bench Vendor", slug="bench-vendor", kind=OrganizationKind.VENDOR)
    staff = [
        User(email=f"pm{n}@bench.example", full_name=f"PM {n:02d}", organization=vendor, role=Role.PM)
        for n in range(PMS)
    ] + [User(email="csm@bench.example", full_name="CSM", organization=vendor, role=Role.CSM)]
    for user in staff:
        user.set_unusable_password()
    User.objects.bulk_create(staff)
    pms = list(User.objects.filter(role=Role.PM).order_by("pk"))
    csm = User.objects.get(role=Role.CSM)
    orgs = Organization.objects.bulk_create(
        [
            Organization(name=f"Client {n:04d}", slug=f"client-{n:04d}", kind=OrganizationKind.CLIENT)
            for n in range(CLIENTS)
        ],
        batch_size=BATCH,
    )
    engagements = Engagement.objects.bulk_create(
        [
            Engagement(
                client=orgs[n % CLIENTS],
                name=f"Engagement {n:04d}",
                phase=Phase.ONBOARDING,
                csm=csm,
                pm=pms[n % PMS],
                deputy_pm=pms[(n + 1) % PMS],
                created_at=NOW,
            )
            for n in range(ENGAGEMENTS)
        ],
        batch_size=BATCH,
    )
    cadences = {c.key: c for c in CadenceTemplate.objects.filter(language="en").prefetch_related("sections")}
    chosen = [cadences["weekly-status"], cadences["steering"], cadences["executive-review-6w"]]
    series = MeetingSeries.objects.bulk_create(
        [
            MeetingSeries(
                engagement=engagement,
                cadence=cadence,
                cadence_key=cadence.key,
                name=cadence.name,
                purpose=cadence.purpose,
                frequency=cadence.frequency,
                interval=cadence.interval,
                weekday=cadence.weekday,
                starts_on=NOW.date(),
                start_time=cadence.start_time,
                duration_minutes=cadence.duration_minutes,
                time_zone=("Europe/Berlin", "Europe/Warsaw", "America/New_York")[engagement.pk % 3],
                owner_id=engagement.pm_id,
                remind_before_minutes=cadence.remind_before_minutes,
                agenda_lead_hours=cadence.agenda_lead_hours,
                invite_lead_days=cadence.invite_lead_days,
                created_at=NOW,
                updated_at=NOW,
            )
            for engagement in engagements
            for cadence in chosen
        ],
        batch_size=BATCH,
    )
    SeriesAgendaSection.objects.bulk_create(
        [
            SeriesAgendaSection(
                series=s, position=section.position, title=section.title, live_source=section.live_source
            )
            for s in series
            for section in s.cadence.sections.all()
        ],
        batch_size=BATCH,
    )
    SeriesParticipant.objects.bulk_create(
        [
            SeriesParticipant(
                series=s, user_id=s.owner_id, side=Side.VENDOR, name="PM", email=f"pm{s.owner_id}@b.example"
            )
            for s in series
        ],
        batch_size=BATCH,
    )
    return len(engagements), len(series)


def bench_generation():
    from django.conf import settings
    from django.db import connection, transaction

    from governance.models import Meeting
    from governance.services import plan
    from notifications.models import Reminder

    settings.GOVERNANCE_HORIZON_WEEKS = 52
    started = time.perf_counter()
    created = plan.meetings_top_up(now=NOW)
    generation_s = time.perf_counter() - started
    reminders = Reminder.objects.filter(kind="governance.meeting").count()
    again = time.perf_counter()
    created_again = plan.meetings_top_up(now=NOW)
    idle_s = time.perf_counter() - again

    # Baseline: the same rows, computed already, written with one bulk insert per 1,000 (then rolled back).
    rows = list(Meeting.objects.values("engagement_id", "series_id", "starts_at", "ends_at", "title", "owner_id"))
    copies = [
        Meeting(
            engagement_id=row["engagement_id"],
            series_id=row["series_id"],
            original_start=row["starts_at"] + timedelta(days=3650),
            starts_at=row["starts_at"] + timedelta(days=3650),
            ends_at=row["ends_at"] + timedelta(days=3650),
            title=row["title"],
            owner_id=row["owner_id"],
        )
        for row in rows
    ]
    baseline_started = time.perf_counter()
    with transaction.atomic():
        Meeting.objects.bulk_create(copies, batch_size=1000)
        baseline_s = time.perf_counter() - baseline_started
        transaction.set_rollback(True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "created": created,
        "reminders": reminders,
        "generation_s": generation_s,
        "baseline_s": baseline_s,
        "created_again": created_again,
        "idle_s": idle_s,
    }


def seed_agenda():
    """One engagement with 1,000 checklist items (AGENDA_OVERDUE overdue, both sides) and a stage to accept, and
    its next weekly meeting (the pages read the real clock, so "overdue" counts from today)."""
    from django.utils import timezone

    from checklists.models import ChecklistItem, ChecklistStage, ItemStatus
    from engagements.models import Engagement, Side
    from governance.models import Meeting

    engagement = Engagement.objects.order_by("pk").first()
    today = timezone.localdate()
    stages = ChecklistStage.objects.bulk_create(
        [
            ChecklistStage(engagement=engagement, title=f"Stage {s}", position=s * 10, acceptance_required=s % 5 == 0)
            for s in range(20)
        ]
    )
    items = []
    for n in range(AGENDA_ITEMS):
        overdue = n < AGENDA_OVERDUE
        items.append(
            ChecklistItem(
                stage=stages[n % 20],
                title=f"Checklist item {n}",
                owner_side=Side.CLIENT if n % 3 == 0 else Side.VENDOR,
                due_on=today - timedelta(days=1 + n % 20) if overdue else today + timedelta(days=1 + n % 30),
                status=ItemStatus.OPEN,
                position=n,
                created_at=NOW,
            )
        )
    ChecklistItem.objects.bulk_create(items, batch_size=BATCH)
    meeting = (
        Meeting.objects.filter(engagement=engagement, series__cadence_key="weekly-status", starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
    return engagement, meeting


def bench_agenda(runs):
    from django.test import Client
    from django.test.utils import override_settings

    from governance.services import agenda

    engagement, meeting = seed_agenda()
    pm = engagement.pm
    url = f"/governance/meetings/{meeting.pk}/"
    rows = []
    with override_settings(ROOT_URLCONF=trivial_urlconf(), ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(pm)
        rows.append(
            (
                "trivial one-query view",
                median_ms(client, "/bench/trivial/", runs),
                count_queries(client, "/bench/trivial/"),
            )
        )
        rows.append(
            (
                f"meeting page, live preview ({AGENDA_ITEMS:,} items)",
                median_ms(client, url, runs),
                count_queries(client, url),
            )
        )
        started = time.perf_counter()
        added = agenda.agenda_prepare(meeting=meeting, by=pm)
        prepare_ms = (time.perf_counter() - started) * 1000
        rows.append(
            (f"meeting page, prepared ({added} agenda rows)", median_ms(client, url, runs), count_queries(client, url))
        )
        refresh = []
        for _ in range(max(3, runs // 4)):
            started = time.perf_counter()
            agenda.agenda_prepare(meeting=meeting, by=pm)
            refresh.append((time.perf_counter() - started) * 1000)
    return rows, prepare_ms, statistics.median(refresh), added


def main():
    args, url = start(__doc__, runs=20, database="op_bench_gov")
    from django.core.management import call_command
    from django.db import connection

    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        engagements, series = seed_plans()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"Seeded {engagements:,} engagements with {series:,} series in {time.perf_counter() - started:.1f} s")

        g = bench_generation()
        print("\nGenerating a year of meetings (the periodic tick, 52-week horizon):")
        print(f"  meetings created           {g['created']:>10,}   reminder rows {g['reminders']:,}")
        per_meeting = 1e6 * g["generation_s"] / g["created"]
        print(f"  tick                       {g['generation_s']:>10.1f} s   ({per_meeting:.0f} µs a meeting)")
        print(f"  baseline: bare bulk insert {g['baseline_s']:>10.1f} s   of the same rows")
        print(f"  tick / baseline            {g['generation_s'] / g['baseline_s']:>10.1f} x")
        print(f"  second tick (nothing due)  {g['idle_s']:>10.2f} s   created {g['created_again']}")

        rows, prepare_ms, refresh_ms, added = bench_agenda(args.runs)
        base = rows[0][1]
        print(
            f"\nA live agenda over {AGENDA_ITEMS:,} checklist items ({AGENDA_OVERDUE} overdue), median of {args.runs}:"
        )
        print(f"  {'page':52} {'median ms':>10} {'x trivial':>10} {'queries':>8}")
        for label, ms, queries in rows:
            print(f"  {label:52} {ms:10.1f} {ms / base:10.1f} {queries:8d}")
        print(f"  preparing the agenda ({added} rows written)           {prepare_ms:10.1f} ms")
        print(f"  refreshing a prepared agenda (nothing new)          {refresh_ms:10.1f} ms")
    finally:
        connection.close()
        if not args.keep:
            drop_database(url)


if __name__ == "__main__":
    main()
