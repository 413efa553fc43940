"""Benchmark of the plan's rescheduling (issue 21) at two plan sizes, against a trivial one-query view.

    /work/main/.venv/bin/python bench/plan_bench.py [--runs 15]

Creates its own PostgreSQL database (``op_bench_plan``, dropped at the end; ``BENCH_KEEP=1`` keeps it), seeds two
engagements: 100 checklist items with 394 dependencies and 500 items with 1,994 (each item waits for the four
before it), then measures, each inside a transaction rolled back after it so that every run starts from the same
plan:

- moving the first item by hand (``item_update``): every other item of the plan moves;
- moving an item near the end: a handful move;
- replanning with nothing to move (what the daily tick costs an engagement whose dates hold);
- the item page (with its plan card and picker) over the full request cycle;

and prints the median time, the ratio to the trivial view measured in the same run, the query count and the items
written. The query counts of the two sizes must be equal (asserted).
"""

import argparse
import os
import statistics
import sys
import time
import types
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _harness import SERVER, in_fresh_database  # noqa: E402

DB_NAME = os.environ.get("BENCH_DB", "op_bench_plan")
os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
os.environ["EMAIL_URL"] = "dummymail://"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding_portal.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["DEBUG"] = "false"

SIZES = (100, 500)
START = date(2027, 2, 1)


def trivial_urlconf():
    from django.http import HttpResponse
    from django.urls import include, path

    from accounts.models import User

    def trivial(request):
        return HttpResponse(str(User.objects.filter(pk=request.user.pk).exists()))

    module = types.ModuleType("bench_plan_urls")
    module.urlpatterns = [path("bench/trivial/", trivial), path("", include("onboarding_portal.urls"))]
    sys.modules["bench_plan_urls"] = module
    return "bench_plan_urls"


def seed_plan(csm, n: int):
    from checklists.models import ChecklistItem, ChecklistStage, ItemDependency
    from engagements.tests.factories import EngagementFactory

    engagement = EngagementFactory(csm=csm, name=f"Plan of {n}", target_go_live_on=START + timedelta(days=60))
    stage = ChecklistStage.objects.create(engagement=engagement, title="Delivery", position=10)
    items = ChecklistItem.objects.bulk_create(
        ChecklistItem(stage=stage, title=f"Step {i}", due_on=START, assignee=csm, position=i * 10) for i in range(n)
    )
    ItemDependency.objects.bulk_create(
        ItemDependency(engagement=engagement, predecessor=items[i - back], successor=items[i])
        for i in range(1, n)
        for back in (1, 2, 3, 4)
        if i - back >= 0
    )
    return engagement, items


def measure(fn, runs: int):
    """Median seconds of ``fn`` in a rolled-back transaction, its query count and its result (the last run's)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    times, queries, result = [], 0, None
    for _ in range(runs):
        with transaction.atomic():
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                result = fn()
                times.append(time.perf_counter() - started)
            queries = len(captured.captured_queries)
            transaction.set_rollback(True)
    return statistics.median(times), queries, result


def page(client, path: str, runs: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        assert client.get(path).status_code == 200
        times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return statistics.median(times), len(captured.captured_queries), None


def run(runs: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from accounts.tests.factories import UserFactory
    from checklists import services
    from checklists.models import ChecklistItem, ItemEvent

    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = ["testserver"]
    csm = UserFactory(csm=True, email="csm@bench.example")
    plans = {n: seed_plan(csm, n) for n in SIZES}
    now = timezone.now()
    moved_at = now + timedelta(seconds=1)
    for engagement, _items in plans.values():
        services.plan_reschedule(engagement=engagement, by=csm, cause={"kind": "applied"}, now=now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(csm)
    rows = []
    with override_settings(ROOT_URLCONF=trivial_urlconf()):
        rows.append(("trivial one-query view", *page(client, "/bench/trivial/", runs)))
        for n, (engagement, items) in plans.items():
            first = ChecklistItem.objects.select_related("stage__engagement").get(pk=items[0].pk)
            late = ChecklistItem.objects.select_related("stage__engagement").get(pk=items[-3].pk)
            edges = engagement.item_dependencies.count()

            def move(item, engagement=engagement):
                def call():
                    services.item_update(by=csm, item=item, due_on=item.due_on + timedelta(days=7), now=moved_at)
                    # The dependents the move rescheduled (each has one history row of this move).
                    return ItemEvent.objects.filter(
                        item__stage__engagement=engagement, action="rescheduled", at=moved_at
                    ).count()

                return call

            def replan(engagement=engagement):
                return len(services.plan_reschedule(engagement=engagement, by=csm, cause={"kind": "late"}).moves)

            label = f"{n} items, {edges:,} deps"
            rows.append((f"{label}: move the first item", *measure(move(first), runs)))
            rows.append((f"{label}: move an item near the end", *measure(move(late), runs)))
            rows.append((f"{label}: replan, nothing moves", *measure(replan, runs)))
            rows.append((f"{label}: item page", *page(client, f"/engagements/items/{late.pk}/", runs)))
    base = rows[0][1]
    print(f"\nMedian over {runs} runs (PostgreSQL, in-process; writes rolled back after each run):")
    print(f"  {'what':52} {'median ms':>10} {'x trivial':>10} {'queries':>8} {'items moved':>14}")
    for label, seconds, queries, written in rows:
        shown = "" if written is None else f"{written:,}"
        print(f"  {label:52} {seconds * 1000:10.1f} {seconds / base:10.1f} {queries:8d} {shown:>14}")
    by_size = {}
    for label, _s, queries, _w in rows[1:]:
        what = label.split(": ", 1)[1]
        by_size.setdefault(what, set()).add(queries)
    for what, counts in by_size.items():
        assert len(counts) == 1, f"{what}: the query count grows with the plan ({sorted(counts)})"
    print("\nQuery counts are the same at both sizes.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    in_fresh_database(DB_NAME, lambda: run(args.runs))


if __name__ == "__main__":
    main()
