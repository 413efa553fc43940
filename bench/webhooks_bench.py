"""Benchmark of the webhook writes in an outage sweep, on PostgreSQL.

    python bench/webhooks_bench.py                 # 100,000 flags per run, database op_bench_hooks
    python bench/webhooks_bench.py --flags 20000   # a smaller outage (the shared 2-core machine)

Seeds three times ``--flags`` open red flags with ``escalations_bench``'s helpers (``seed``, ``make_due``), then sweeps
three outages of ``--flags`` flags each (every one missed its acknowledgement at level 1, the sweep's SQL path), each
right after a ``CHECKPOINT``, in this one run:

1. with the webhook writes left out (``emit_many`` replaced by a no-op): the sweep as it was;
2. with no endpoint: each escalation still writes its events (``red_flag.escalated`` and ``sla.target_missed``);
3. with ``--endpoints`` (5) organization-wide endpoints subscribed to ``red_flag.escalated``: five deliveries more
   per escalation.

It prints each sweep's time, queries per batch (asserted equal across the three) and rows written, and the ratios
of 2. and 3. to 1.: the webhook write cost of the outage.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--flags", type=int, default=100_000, help="flags due at once in each outage (default 100,000)")
parser.add_argument("--endpoints", type=int, default=5, help="endpoints subscribed to red_flag.escalated")
ARGS = parser.parse_args()
WARM = 100  # flags swept first, untimed: the caches a long-running worker has warm
# escalations_bench reads its database and sizes when imported: its seed makes three outages' worth of flags here.
os.environ.setdefault("BENCH_DB", "op_bench_hooks")
os.environ["BENCH_SIZES"] = f"{3 * ARGS.flags + WARM},0"
os.environ["BENCH_WORKERS"] = "0"

import escalations_bench  # noqa: E402 (bench/ is on sys.path)
from _harness import in_fresh_database, round_trip_baseline  # noqa: E402


def outage(name, now, *, baseline, patch=None) -> tuple[float, int]:
    """Sweep ``--flags`` flags due at once; returns its time and the largest number of queries in one batch."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from escalations.services import sweep, sweep_escalate

    escalations_bench.make_due(ARGS.flags, now)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE escalations_redflag")
        cursor.execute("CHECKPOINT")
    saved = (sweep.emit_many, sweep_escalate.emit_many)
    if patch is not None:
        sweep.emit_many = sweep_escalate.emit_many = patch
    per_batch, swept = [], 0
    try:
        start = time.perf_counter()
        while True:
            with CaptureQueriesContext(connection) as queries:
                claimed = sweep.escalation_sweep_batch(now=now)
            if not claimed:
                break
            swept += claimed
            per_batch.append(len(queries))
        elapsed = time.perf_counter() - start
    finally:
        sweep.emit_many, sweep_escalate.emit_many = saved
    assert swept == ARGS.flags, (swept, ARGS.flags)
    print(
        f"{name}: {ARGS.flags:,} swept in {elapsed:.2f} s ({ARGS.flags / elapsed:,.0f} flags/s,"
        f" {elapsed / baseline:,.0f}x baseline), {len(per_batch)} batches of {max(per_batch)} queries",
        flush=True,
    )
    return elapsed, max(per_batch)


def run() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from webhooks.models import Delivery, Endpoint, Event

    call_command("migrate", verbosity=0)
    now = timezone.now()
    print(f"Seeding {3 * ARGS.flags:,} open red flags on 1,000 engagements (three outages of {ARGS.flags:,}) ...")
    escalations_bench.seed(now)
    escalations_bench.make_due(WARM, now)
    from escalations.services import sweep

    sweep.escalation_sweep(now=now, time_budget=600)
    Event.objects.all().delete()
    baseline = round_trip_baseline()
    print(f"\nBaseline: SELECT 1 round trip = {baseline * 1000:.3f} ms")

    bare, bare_queries = outage("Without webhook writes", now, baseline=baseline, patch=lambda specs, now=None: 0)
    assert not Event.objects.exists()
    events, events_queries = outage("No endpoint (events only)", now, baseline=baseline)
    written = Event.objects.count()
    Endpoint.objects.bulk_create(
        Endpoint(url=f"https://hooks{n}.example.com/in", event_types=["red_flag.escalated"])
        for n in range(ARGS.endpoints)
    )
    hooked, hooked_queries = outage(f"{ARGS.endpoints} endpoints", now, baseline=baseline)
    deliveries = Delivery.objects.count()
    assert events_queries == hooked_queries, (events_queries, hooked_queries)
    assert deliveries == ARGS.flags * ARGS.endpoints, deliveries
    print(
        f"\nWebhook write cost of a {ARGS.flags:,}-flag outage sweep"
        " (queries per batch the same with and without endpoints):\n"
        f"  events only: {events / bare:.2f}x the sweep without webhooks ({written:,} events,"
        f" +{(events - bare) / ARGS.flags * 1e6:,.0f} us per flag)\n"
        f"  {ARGS.endpoints} endpoints: {hooked / bare:.2f}x ({Event.objects.count() - written:,} events,"
        f" {deliveries:,} deliveries, +{(hooked - bare) / ARGS.flags * 1e6:,.0f} us per flag);"
        f" {hooked / events:.2f}x the run with no endpoint"
    )


if __name__ == "__main__":
    in_fresh_database(os.environ["BENCH_DB"], run)
