"""Benchmark of the escalation sweep on PostgreSQL.

    python bench/escalations_bench.py            # uses postgres://postgres@127.0.0.1:5432, database op_bench_esc

Creates its own database (dropped at the end), seeds 100,000 open red flags on 1,000 engagements of 500 clients
(each flag followed by its client's key user), and prints, each also as a ratio to a baseline measured in the same
run (one ``SELECT 1`` round trip):

- the idle sweep (nothing due among 100,000 open flags), with the ``EXPLAIN`` of its claim, which must use the
  partial index ``red_flag_due`` (asserted);
- one sweep batch of 100 and of 1,000 flags due at once (each escalates to the next level and tells the new owner,
  the people told on entry and the client): its time and its query count, which must be the same for both
  (asserted);
- 100,000 flags due at once, as after an outage, cleared end to end: every escalation, timeline line, flag update
  and fan-out row written by the sweep (who must be told of each escalation), then the relay's expansion of those
  rows into the outbox (a row per recipient and channel, each subject rendered in its reader's language), each
  timed on its own (sending the mail is not part of it: the relay sends at its own pace from the outbox), in this
  one process: what one worker does;
- the same outage as the deployment clears it: every flag, now at level 2, misses that level's acknowledgement, and
  beat's sweep task goes to ``BENCH_WORKERS`` real Celery worker processes (2, as ``bin/start`` runs them; the
  production command, one task at a time each) on a Redis database of the bench's own (``BENCH_REDIS``, default
  ``redis://127.0.0.1:6379/14``, emptied first). The tick sees more due than one batch and asks the other worker to
  sweep beside it (``ESCALATIONS_SWEEP_HELPERS``); each committed batch kicks the relay, which a worker runs when it
  is free. Timed from sending the task until every escalation is written and every fan-out row is expanded into the
  outbox (both read in the database); it prints how many flags each worker swept.

Each timed outage starts right after a ``CHECKPOINT``. ``BENCH_SIZES=open,due`` changes the sizes (default
``100000,1000``; a third number, once the outage's size, is ignored: the outage is every flag still at level 1);
``BENCH_WORKERS=0`` leaves the deployment part out and ``BENCH_WORKER_LOGS=1`` prints the workers' task lines;
``BENCH_PROFILE=1`` profiles the 1,000 batch and ``BENCH_PROFILE=outage`` the outage's sweep; ``BENCH_QUERIES=1``
prints the slowest statements.

Every flag here misses its acknowledgement below the last level, the case the sweep does in SQL
(``escalations/services/sweep_escalate.py``): the 1,000 flags of a batch fall into 1,000 groups (one per
engagement), each worked out once in Python, and the rows are written by two statements. What is left per flag is
PostgreSQL's own work: an escalation, a timeline line, a flag update (every index of the flag written again, since
its next deadline and owner change) and two fan-out rows, with their foreign-key checks at commit. In the outage a
batch (``ESCALATIONS_SWEEP_BATCH``, 20,000 by default) holds about twenty flags of each engagement, more than
``ESCALATIONS_GROUP_NOTICES_ABOVE`` (3): those are told of by one group notice per engagement (one fan-out row for
the staff, one per client follower), so the fan-out and outbox rows are far fewer than two and six per flag.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from _harness import SERVER, against, in_fresh_database, round_trip_baseline, timed  # noqa: E402 (bench/ is on sys.path)

DB_NAME = os.environ.get("BENCH_DB", "op_bench_esc")
# The deployment part's broker: a Redis database of its own, emptied first.
BROKER = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))  # bin/start's default; 0 leaves the deployment part out
OPEN, DUE = (int(n) for n in os.environ.get("BENCH_SIZES", "100000,1000").split(",")[:2])

os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
os.environ["EMAIL_URL"] = "dummymail://"
os.environ["CELERY_BROKER_URL"] = BROKER
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding_portal.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def main() -> None:
    in_fresh_database(DB_NAME, run)


def seed(now):
    """Open flags at level 1 of the default path, acknowledged-by deadlines a day away (none due)."""
    from accounts.models import Organization, OrganizationKind, Role, User
    from engagements.models import Engagement, Phase
    from escalations.coverage import default_path
    from escalations.models import FlagFollower, FlagStatus, RedFlag

    vendor = Organization.objects.create(name="Vendor", slug="vendor", kind=OrganizationKind.VENDOR)
    staff = User.objects.bulk_create(
        User(email=f"staff{n}@vendor.example", full_name=f"Staff {n:03d}", organization=vendor, role=Role.PM)
        for n in range(60)
    )
    User.objects.bulk_create(
        [
            User(email="director@vendor.example", full_name="Director", organization=vendor, role=Role.DIRECTOR),
            User(email="cto@vendor.example", full_name="CTO", organization=vendor, role=Role.EXECUTIVE),
        ]
    )
    clients = Organization.objects.bulk_create(
        Organization(name=f"Client {n}", slug=f"client-{n}", kind=OrganizationKind.CLIENT) for n in range(500)
    )
    key_users = User.objects.bulk_create(
        User(email=f"key{n}@client.example", full_name=f"Key {n}", organization=c, role=Role.CLIENT_KEY_USER)
        for n, c in enumerate(clients)
    )
    engagements = Engagement.objects.bulk_create(
        Engagement(
            client=clients[n % 500],
            name=f"Engagement {n}",
            phase=Phase.LIVE,
            csm=staff[n % 20],
            pm=staff[20 + n % 20],
            deputy_pm=staff[40 + n % 20],
        )
        for n in range(1000)
    )
    path = default_path()
    due = now + timedelta(days=1)
    batch = 10_000
    for start in range(0, OPEN, batch):
        flags = RedFlag.objects.bulk_create(
            RedFlag(
                engagement=engagements[n % 1000],
                title=f"Complaint {n}",
                description="Orders are not arriving.",
                category="quality",
                severity="high",
                status=FlagStatus.OPEN,
                raised_by=key_users[n % 1000 % 500],
                reporter=key_users[n % 1000 % 500],
                raised_at=now - timedelta(hours=1),
                path=path,
                owner=staff[20 + n % 20],
                level_entered_at=now - timedelta(hours=1),
                response_target=timedelta(hours=4),
                resolution_target=timedelta(hours=24),
                sla_month=now.date().replace(day=1),
                ack_due_at=due + timedelta(seconds=n % 3600),
                resolve_due_at=due + timedelta(days=3),
                next_due_at=due + timedelta(seconds=n % 3600),
            )
            for n in range(start, min(start + batch, OPEN))
        )
        FlagFollower.objects.bulk_create(FlagFollower(flag=f, user_id=f.reporter_id) for f in flags)


def make_due(count, now) -> list[int]:
    """``count`` flags still at level 1 whose acknowledge deadline passed an hour ago."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE escalations_redflag SET ack_due_at = %s, next_due_at = %s"
            " WHERE id IN (SELECT id FROM escalations_redflag WHERE level = 1 AND next_due_at > %s"
            " ORDER BY id LIMIT %s) RETURNING id",
            [now - timedelta(hours=1), now - timedelta(hours=1), now, count],
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("ANALYZE escalations_redflag")
    return ids


def run() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from escalations.models import Escalation, FlagEvent, RedFlag
    from escalations.services import sweep
    from notifications.models import Notification, NotificationFanout
    from notifications.services import fanout_expand

    call_command("migrate", verbosity=0)
    import logging

    import pgtrigger

    logging.getLogger("pgtrigger").setLevel(logging.WARNING)  # one line per trigger switched
    now = timezone.now()
    print(f"Seeding {OPEN:,} open red flags on 1,000 engagements ...", flush=True)
    # The seed is not what is measured: the audit trail's triggers are off meanwhile.
    pgtrigger.disable()
    seed(now)
    pgtrigger.enable()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE escalations_redflag")

    baseline = round_trip_baseline()
    print(f"\nBaseline: SELECT 1 round trip = {baseline * 1000:.3f} ms")

    def ratio(seconds):
        return against(seconds, baseline)

    # 1. Idle: 100,000 open flags, none due.
    sweep.escalation_sweep_batch(now=now)
    idle, _ = timed(lambda: sweep.escalation_sweep_batch(now=now), repeat=200)
    with CaptureQueriesContext(connection) as idle_queries:
        sweep.escalation_sweep_batch(now=now)
    print(f"Idle sweep ({OPEN:,} open, none due): {ratio(idle)}, {len(idle_queries)} queries (BEGIN, claim, COMMIT)")
    with transaction.atomic():
        claim = RedFlag.objects.due(now).order_by("next_due_at").select_for_update(skip_locked=True)[:1000]
        sql, params = claim.query.get_compiler(using="default").as_sql()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
    print("EXPLAIN of the claim:\n    " + "\n    ".join(plan))
    assert any("red_flag_due" in line for line in plan), "the claim must use the partial index red_flag_due"

    # 2. One batch of 100 and of 1,000 due: the same number of queries. A first small batch warms the caches a
    # long-running worker has warm (templates, translations, content types).
    make_due(10, now)
    sweep.escalation_sweep_batch(now=now)
    counts = {}
    for count in (100, DUE):
        make_due(count, now)
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            if os.environ.get("BENCH_PROFILE") == "1" and count == DUE:
                import cProfile
                import pstats

                profile = cProfile.Profile()
                claimed = profile.runcall(sweep.escalation_sweep_batch, now=now, limit=max(DUE, 1000))
                pstats.Stats(profile).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(45)
            else:
                claimed = sweep.escalation_sweep_batch(now=now, limit=max(DUE, 1000))
            elapsed = time.perf_counter() - start
        assert claimed == count, (claimed, count)
        if os.environ.get("BENCH_QUERIES"):
            for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:8]:
                print(f"    {float(query['time']) * 1000:8.1f} ms  {query['sql'][:150]}")
        counts[count] = len(queries)
        fanouts = NotificationFanout.objects.filter(event__startswith="escalation:").count()
        print(
            f"One sweep of {count:>5,} due: {ratio(elapsed)}, {len(queries)} queries"
            f" ({count / elapsed:,.0f} escalations/s; fan-out rows so far: {fanouts:,})"
        )
    assert counts[100] == counts[DUE], f"query count grew with the number due: {counts}"

    # 2b. The audit trail's cost (issue 20): one batch of DUE with its triggers disabled and enabled, alternately.
    trail = {"off": [], "on": []}
    for _ in range(3):
        for mode in ("off", "on"):
            make_due(DUE, now)
            if mode == "off":
                pgtrigger.disable()
            start = time.perf_counter()
            assert sweep.escalation_sweep_batch(now=now, limit=max(DUE, 1000)) == DUE
            trail[mode].append(time.perf_counter() - start)
            pgtrigger.enable()
    off, on = min(trail["off"]), min(trail["on"])
    print(
        f"One sweep of {DUE:>5,} due, audit trail off: {off * 1000:.0f} ms, on: {on * 1000:.0f} ms"
        f" (with / without: {on / off:.2f})"
    )

    # 3. An outage: every remaining flag due at once, cleared end to end.
    remaining = RedFlag.objects.filter(level=1).count()
    make_due(remaining, now)
    fanout_expand(now=now, time_budget=3600)  # the relay catches up on the batches above first
    Notification.objects.all().delete()
    NotificationFanout.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE escalations_redflag")
        cursor.execute("VACUUM ANALYZE notifications_notification")
        cursor.execute("VACUUM ANALYZE notifications_notificationfanout")
        # Each timed outage starts right after a checkpoint, so that one does not fall in the middle of one run and
        # not of another (every page the outage touches is then written to the WAL in full once: the worst case).
        cursor.execute("CHECKPOINT")
    # The outage's cost of the audit trail: half of the flags due swept with its triggers disabled first (the
    # rest made due again afterwards), so both halves start from the same state.
    half = remaining // 2
    RedFlag.objects.filter(pk__in=RedFlag.objects.due(now).order_by("-pk").values("pk")[: remaining - half]).update(
        ack_due_at=now + timedelta(days=365), next_due_at=now + timedelta(days=365)
    )
    pgtrigger.disable()
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
    start = time.perf_counter()
    swept_off = sweep.escalation_sweep(now=now, time_budget=3600)
    outage_off = time.perf_counter() - start
    pgtrigger.enable()
    assert swept_off == half, (swept_off, half)
    fanout_expand(now=now, time_budget=3600)
    Notification.objects.all().delete()
    NotificationFanout.objects.all().delete()
    remaining = RedFlag.objects.filter(level=1).count()
    make_due(remaining, now)
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
    events_before = Escalation.pgh_event_model.objects.count()
    before = Escalation.objects.count()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        if os.environ.get("BENCH_PROFILE") == "outage":
            import cProfile
            import pstats

            profile = cProfile.Profile()
            swept = profile.runcall(sweep.escalation_sweep, now=now, time_budget=3600)
            pstats.Stats(profile).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(45)
        else:
            swept = sweep.escalation_sweep(now=now, time_budget=3600)
        total = time.perf_counter() - start
    if os.environ.get("BENCH_QUERIES"):
        spent = {}
        for query in queries.captured_queries:
            spent[query["sql"][:100]] = spent.get(query["sql"][:100], 0) + float(query["time"])
        for sql, seconds in sorted(spent.items(), key=lambda item: -item[1])[:8]:
            print(f"    {seconds * 1000:8.1f} ms  {sql}")
        print(f"    {sum(spent.values()) * 1000:8.1f} ms  in all {len(queries)} queries")
    made = Escalation.objects.count() - before
    fanouts = NotificationFanout.objects.count()
    grouped = Escalation.objects.exclude(notice_event=None).count()
    assert swept == remaining and made == remaining, (swept, made, remaining)
    assert not RedFlag.objects.due(now).exists()
    assert not Escalation.objects.values("flag", "cycle", "level", "round").annotate(n=Count("pk")).filter(n__gt=1)
    assert FlagEvent.objects.filter(kind="escalated").count() == Escalation.objects.count()
    print(
        f"Outage: {remaining:,} due at once swept in {total:.1f} s ({remaining / total:,.0f} flags/s,"
        f" {total / baseline:,.0f}x baseline): {made:,} escalations, {made:,} timeline lines,"
        f" {fanouts:,} fan-out rows ({grouped:,} of the escalations told of by group notices)"
    )
    recorded = Escalation.pgh_event_model.objects.count() - events_before
    assert recorded == made, (recorded, made)
    print(
        f"Outage, audit trail off: {half:,} swept in {outage_off:.2f} s ({half / outage_off:,.0f} flags/s); on:"
        f" {remaining:,} in {total:.2f} s ({remaining / total:,.0f} flags/s; {recorded:,} escalations in the trail);"
        f" per flag with / without: {(total / remaining) / (outage_off / half):.2f}"
    )
    start = time.perf_counter()
    expanded = fanout_expand(now=now, time_budget=3600)
    expansion = time.perf_counter() - start
    rows = Notification.objects.count()
    assert expanded == fanouts and not NotificationFanout.objects.exclude(status="expanded").exists()
    print(
        f"  then the relay expanded them in {expansion:.1f} s ({rows / expansion:,.0f} outbox rows/s): {rows:,}"
        f" outbox rows; end to end {total + expansion:.1f} s"
    )
    if WORKERS:
        deployed(now, one_worker=total + expansion, baseline=baseline)


def start_workers(tmp: Path) -> list[subprocess.Popen]:
    """The production workers (bin/start's command: one task at a time each), on the bench's database and broker."""
    env = {**os.environ, "VAR_DIR": str(tmp), "LOG_LEVEL": "INFO"}
    workers = []
    for n in range(1, WORKERS + 1):
        log = open(tmp / f"worker{n}.log", "wb")  # noqa: SIM115 - the worker writes it until it stops
        command = [sys.executable, "-m", "celery", "-A", "onboarding_portal", "worker", "--loglevel=INFO"]
        command += ["--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        workers.append(
            subprocess.Popen(
                [*command, f"--hostname=bench{n}@%h"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    deadline = time.monotonic() + 60
    while not all(" ready." in (tmp / f"worker{n}.log").read_text() for n in range(1, WORKERS + 1)):
        assert time.monotonic() < deadline and all(w.poll() is None for w in workers), "the workers did not start"
        time.sleep(0.1)
    return workers


def deployed(now, *, one_worker: float, baseline: float) -> None:
    """The same outage as the deployment clears it: beat's one sweep task, sent to ``WORKERS`` real Celery worker
    processes. The tick sees more due than one batch and asks the other workers to sweep beside it
    (``ESCALATIONS_SWEEP_HELPERS``); each committed batch kicks the relay, which a worker runs when it is free. Timed
    from sending the task until every escalation is written and every fan-out row expanded into the outbox."""
    import redis
    from django.db import connection
    from django.utils import timezone

    from escalations import tasks
    from escalations.models import Escalation, RedFlag
    from notifications.models import FanoutStatus, Notification, NotificationFanout

    # Every flag is at level 2 now: all of them miss that level's acknowledgement (the same work, one level up).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE escalations_redflag SET ack_due_at = %s, next_due_at = %s WHERE level = 2",
            [now - timedelta(hours=1), now - timedelta(hours=1)],
        )
        due = cursor.rowcount
        Notification.objects.all().delete()
        NotificationFanout.objects.all().delete()
        for table in ("escalations_redflag", "notifications_notification", "notifications_notificationfanout"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("CHECKPOINT")  # as before the outage above: no checkpoint falls in the middle of one
    before = Escalation.objects.count()
    redis.Redis.from_url(BROKER).flushdb()
    tmp = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    workers = start_workers(tmp)
    logs = [tmp / f"worker{n}.log" for n in range(1, WORKERS + 1)]
    succeeded = re.compile(r"escalations\.sweep\[[^\]]+\] succeeded in [^:]+: (\d+)")

    def swept() -> list[int]:
        """How many flags each worker's sweep tasks claimed (a task logs its result when it ends)."""
        return [sum(int(n) for n in succeeded.findall(log.read_text())) for log in logs]

    pending = NotificationFanout.objects.filter(status=FanoutStatus.PENDING)
    try:
        start = time.perf_counter()

        def wait(condition) -> None:
            while not condition():
                assert all(w.poll() is None for w in workers), "a worker exited"
                assert time.perf_counter() - start < 600, "the outage was not cleared in 10 minutes"
                time.sleep(0.02)

        tasks.sweep.delay()  # beat's tick
        # Until the sweeps have claimed every flag, the workers' logs are watched (which costs the database nothing);
        # then every 20 ms two probes on partial indexes: a flag still due, a fan-out row not yet expanded.
        wait(lambda: sum(swept()) >= due)
        wait(lambda: not RedFlag.objects.due(timezone.now()).exists() and not pending.exists())
        elapsed = time.perf_counter() - start
        time.sleep(0.5)
        shares = swept()
    finally:
        # Stopped at once: a relay may still be sending the mail, which is not part of the figure (and is safe to cut
        # short: its claimed rows go back to be sent when their lease runs out).
        for worker in workers:
            os.killpg(worker.pid, signal.SIGKILL)
        for worker in workers:
            worker.wait(timeout=30)
    if os.environ.get("BENCH_WORKER_LOGS"):
        for log in logs:
            print("\n".join(line for line in log.read_text().splitlines() if "Task " in line or "relay" in line))
    made = Escalation.objects.count() - before
    rows = Notification.objects.count()
    assert made == due and sum(shares) == due, (made, shares, due)
    print(
        f"Outage, as deployed: {due:,} due cleared end to end by {WORKERS} Celery worker processes in {elapsed:.1f} s"
        f" ({elapsed / baseline:,.0f}x baseline; {one_worker / elapsed:.1f}x faster than one worker above):"
        f" {made:,} escalations, {rows:,} outbox rows; the workers swept {' + '.join(f'{n:,}' for n in shares)} flags"
    )


if __name__ == "__main__":
    main()
