"""Benchmark: dashboard and engagement page at scale, against a trivial one-query view.

Creates its own PostgreSQL database (never the dev one), seeds 1,000 clients, 2,000 engagements
and 100,000 checklist items with bulk inserts, then times each page in-process (Django's full
request cycle: middleware, session, view, template) and prints the medians and their ratio to
the trivial view measured in the same run. Drops the database at the end (``--keep`` keeps it).

    /work/main/.venv/bin/python bench/engagements_bench.py [--runs 30] [--keep]
    /work/main/.venv/bin/python bench/engagements_bench.py --cold --sizes 500,2000,8000 [--runs 10]

``--cold`` (issue 24) measures with the cache off (figures and rendered fragments: Django's dummy cache) the CSM
dashboard and the director's portfolio at each of ``--sizes`` engagements (50 items each, a fresh database per
size), printing medians, queries, HTML size and the ratio to the trivial view of the same run. ``BENCH_ROOT`` runs
the project found there instead (a ``git archive`` of main, for the figures before a change).

``BENCH_DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/op_bench_eng) names the
database; it is dropped and created again, so never point it at data you want.
"""

import argparse
import os
import statistics
import sys
import time
import types
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import psycopg

ROOT = Path(os.environ.get("BENCH_ROOT") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT))

CLIENTS, ENGAGEMENTS, STAGES_PER, ITEMS_PER_STAGE = 1_000, 2_000, 5, 10  # 2,000 x 50 = 100,000 items
CSMS, PMS = 25, 25
BATCH = 5_000


def recreate_database(url: str) -> None:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.startswith("op_bench"):
        sys.exit(f"Refusing to drop {name!r}: the bench database name must start with 'op_bench'.")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    parsed = urlparse(url)
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')


def seed():
    from django.utils import timezone

    from accounts.models import Organization, OrganizationKind, Role, User
    from checklists.models import ChecklistItem, ChecklistStage, ItemStatus, SatisfactionScore
    from engagements.models import ClientProfile, Engagement, Phase, Side

    now = timezone.now()
    today = timezone.localdate()
    vendor = Organization.objects.create(name="Bench Vendor", slug="bench-vendor", kind=OrganizationKind.VENDOR)
    password = User.objects.make_random_password() if hasattr(User.objects, "make_random_password") else "x"
    staff = [
        User(email=f"csm{n}@bench.example", full_name=f"CSM {n:02d}", organization=vendor, role=Role.CSM)
        for n in range(CSMS)
    ] + [
        User(email=f"pm{n}@bench.example", full_name=f"PM {n:02d}", organization=vendor, role=Role.PM)
        for n in range(PMS)
    ]
    staff.append(User(email="director@bench.example", full_name="Director", organization=vendor, role=Role.DIRECTOR))
    for user in staff:
        user.set_unusable_password()
    del password
    User.objects.bulk_create(staff)
    csms = list(User.objects.filter(role=Role.CSM).order_by("pk"))
    pms = list(User.objects.filter(role=Role.PM).order_by("pk"))
    orgs = Organization.objects.bulk_create(
        [
            Organization(name=f"Client {n:04d}", slug=f"client-{n:04d}", kind=OrganizationKind.CLIENT)
            for n in range(CLIENTS)
        ],
        batch_size=BATCH,
    )
    ClientProfile.objects.bulk_create(
        [ClientProfile(organization=org, csm=csms[i % CSMS], industry="Retail") for i, org in enumerate(orgs)],
        batch_size=BATCH,
    )
    phases = [Phase.KICKOFF, Phase.ONBOARDING, Phase.ONBOARDING, Phase.LIVE, Phase.HANDOFF]
    engagements = Engagement.objects.bulk_create(
        [
            Engagement(
                client=orgs[n % CLIENTS],
                name=f"Engagement {n:04d}",
                phase=phases[n % len(phases)],
                csm=csms[n % CSMS],
                pm=pms[n % PMS],
                deputy_pm=pms[(n + 1) % PMS],
                kickoff_on=today - timedelta(days=n % 60),
                contract_signed_on=today - timedelta(days=n % 60 + 10),
                created_at=now,
            )
            for n in range(ENGAGEMENTS)
        ],
        batch_size=BATCH,
    )
    stages = ChecklistStage.objects.bulk_create(
        [
            ChecklistStage(
                engagement=engagement, title=f"Stage {s}", position=s * 10, acceptance_required=s in (0, STAGES_PER - 1)
            )
            for engagement in engagements
            for s in range(STAGES_PER)
        ],
        batch_size=BATCH,
    )
    items = []
    count = 0
    for n, stage in enumerate(stages):
        for i in range(ITEMS_PER_STAGE):
            status = ItemStatus.DONE if (n + i) % 3 == 0 else ItemStatus.OPEN
            items.append(
                ChecklistItem(
                    stage=stage,
                    title=f"Item {i} of stage {stage.title}",
                    owner_side=Side.CLIENT if i % 3 == 0 else Side.VENDOR,
                    assignee=csms[n % CSMS],
                    due_on=today + timedelta(days=(i * 3 + n) % 40 - 15),
                    status=status,
                    position=i * 10,
                    completed_at=now if status == ItemStatus.DONE else None,
                    created_at=now,
                )
            )
            if len(items) == BATCH:
                ChecklistItem.objects.bulk_create(items)
                count += len(items)
                items = []
    ChecklistItem.objects.bulk_create(items)
    count += len(items)
    SatisfactionScore.objects.bulk_create(
        [
            SatisfactionScore(engagement=e, reason="acceptance", score=(e.pk % 5) + 1, answered_at=now, asked_at=now)
            for e in engagements[::4]
        ]
    )
    return {"clients": len(orgs), "engagements": len(engagements), "items": count}


def trivial_urlconf():
    """The project's URLs plus a trivial view that runs exactly one query."""
    from django.http import HttpResponse
    from django.urls import include, path

    from accounts.models import User

    def trivial(request):
        return HttpResponse(str(User.objects.filter(pk=request.user.pk).exists()))

    module = types.ModuleType("bench_urls")
    module.urlpatterns = [path("bench/trivial/", trivial), path("", include("onboarding_portal.urls"))]
    sys.modules["bench_urls"] = module
    return "bench_urls"


def count_queries(client, url) -> int:
    from django.db import connection

    queries = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    _forget()
    with connection.execute_wrapper(record):
        client.get(url)
    return len(queries)


def html_bytes(client, url) -> int:
    _forget()
    return len(client.get(url).content)


def _forget():
    """Cold: before issue 24 the figures were also kept in the process (``portfolio.figures.forget`` drops them)."""
    if COLD:
        from portfolio import figures

        figures.forget()


COLD = False


def median_ms(client, url, runs):
    client.get(url)  # warm up: templates compiled, connection open
    timings = []
    for _ in range(runs):
        _forget()
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings)


def start(doc: str, *, runs: int, database: str):
    """Read --runs and --keep, make the bench database afresh (BENCH_DATABASE_URL, else ``database`` on the local
    server) and set Django up on it: the arguments and the database's URL."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--cold", action="store_true", help="cache off, the dashboards at each of --sizes")
    parser.add_argument("--sizes", default="500,2000", help="engagements per run with --cold (comma-separated)")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}")
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding_portal.settings")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    return args, url


def main():
    args, url = start(__doc__, runs=30, database="op_bench_eng")
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        import logging

        import pgtrigger

        logging.getLogger("pgtrigger").setLevel(logging.WARNING)  # one line per trigger switched

        # The seed's bulk inserts are not what is measured: the audit trail's triggers are off meanwhile.
        pgtrigger.disable()
        seeded = seed()
        pgtrigger.enable()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        seeded_s = time.perf_counter() - started
        print(
            f"Seeded {seeded['clients']:,} clients, {seeded['engagements']:,} engagements, "
            f"{seeded['items']:,} checklist items in {seeded_s:.1f} s (incl. migrations)"
        )
        from accounts.models import User
        from engagements.models import Engagement

        settings.ALLOWED_HOSTS = ["testserver"]
        csm = User.objects.filter(role="csm").order_by("pk").first()
        director = User.objects.get(email="director@bench.example")
        engagement = Engagement.objects.filter(csm=csm).order_by("pk").first()
        with override_settings(ROOT_URLCONF=trivial_urlconf()):
            rows = []
            for label, user, path in [
                ("trivial one-query view", csm, "/bench/trivial/"),
                (f"CSM dashboard ({Engagement.objects.filter(csm=csm).count()} engagements)", csm, "/"),
                ("director dashboard (2,000 engagements, page 1 of 50)", director, "/"),
                ("engagement page (50 items)", csm, f"/engagements/{engagement.pk}/"),
                ("director workload", director, "/engagements/workload/"),
            ]:
                client = Client()
                client.force_login(user)
                rows.append((label, median_ms(client, path, args.runs), count_queries(client, path)))
            # The same page without the audit trail (issue 20): its context middleware off and its triggers
            # disabled, in the same run; the trail itself only costs writes, so the two should be close.
            client = Client()
            client.force_login(csm)
            pgtrigger.disable()
            with override_settings(AUDIT_TRAIL=False):
                off = median_ms(client, f"/engagements/{engagement.pk}/", args.runs)
                rows.append(
                    ("engagement page, audit trail off", off, count_queries(client, f"/engagements/{engagement.pk}/"))
                )
            pgtrigger.enable()
            on = next(ms for label, ms, _ in rows if label.startswith("engagement page ("))
            history = f"/engagements/{engagement.pk}/history/"
            rows.append(
                ("engagement history page", median_ms(client, history, args.runs), count_queries(client, history))
            )
        base = rows[0][1]
        print(f"\nMedian server time over {args.runs} requests (in-process, full Django request cycle):")
        print(f"  {'page':58} {'median ms':>10} {'x trivial':>10} {'queries':>8}")
        for label, ms, queries in rows:
            print(f"  {label:58} {ms:10.1f} {ms / base:10.1f} {queries:8d}")
        print(f"\nEngagement page with the audit trail / without: {on / off:.2f}")
    finally:
        connection.close()
        if not args.keep:
            drop_database(url)


def cold_main():
    """The dashboards cold (cache off) at several sizes: does their cost grow with the number of engagements?"""
    global CLIENTS, ENGAGEMENTS, COLD
    COLD = True
    args, url = start(__doc__, runs=10, database="op_bench_eng")
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    table = []
    try:
        for size in [int(n) for n in args.sizes.split(",")]:
            recreate_database(url)
            connection.close()
            CLIENTS, ENGAGEMENTS = max(1, size // 2), size
            started = time.perf_counter()
            call_command("migrate", verbosity=0)
            seeded = seed()
            seeded_s = time.perf_counter() - started
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # the backfill plans with the seeded rows' statistics
            backfill_s = None
            try:
                from engagements.figures import figures_refresh
            except ImportError:  # before issue 24: nothing maintained
                figures_refresh = None
            if figures_refresh is not None:
                started = time.perf_counter()
                figures_refresh(None)
                backfill_s = time.perf_counter() - started
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            print(
                f"{size:,} engagements, {seeded['items']:,} items seeded in {seeded_s:.1f} s"
                + (f"; figures backfilled in {backfill_s:.1f} s" if backfill_s is not None else "")
            )
            from accounts.models import User
            from engagements.models import Engagement

            settings.ALLOWED_HOSTS = ["testserver"]
            csm = User.objects.filter(role="csm").order_by("pk").first()
            director = User.objects.get(email="director@bench.example")
            with override_settings(ROOT_URLCONF=trivial_urlconf(), CACHES=dummy):
                n_csm = Engagement.objects.filter(csm=csm).count()
                rows = []
                for label, user, path in [
                    ("trivial", csm, "/bench/trivial/"),
                    (f"CSM dashboard ({n_csm})", csm, "/"),
                    (f"portfolio ({size:,}, page 1)", director, "/"),
                ]:
                    client = Client()
                    client.force_login(user)
                    ms = median_ms(client, path, args.runs)
                    rows.append((label, ms, count_queries(client, path), html_bytes(client, path)))
            base = rows[0][1]
            for label, ms, queries, size_b in rows:
                table.append((size, label, ms, ms / base, queries, size_b))
        print(f"\nCold (cache off) medians over {args.runs} requests, in-process:")
        print(f"  {'engagements':>11} {'page':32} {'median ms':>10} {'x trivial':>10} {'queries':>8} {'HTML KB':>8}")
        for size, label, ms, ratio, queries, size_b in table:
            print(f"  {size:11,} {label:32} {ms:10.1f} {ratio:10.1f} {queries:8d} {size_b / 1024:8.1f}")
    finally:
        connection.close()
        if not args.keep:
            drop_database(url)


if __name__ == "__main__":
    if "--cold" in sys.argv:
        cold_main()
    else:
        main()
