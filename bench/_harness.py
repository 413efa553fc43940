"""What the database bench scripts share: a fresh database of their own, dropped at the end (kept when BENCH_KEEP is
set, to look at with psql), and a median timer. A script points DATABASE_URL at ``f"{SERVER}/{name}"`` before
Django is set up, then calls ``in_fresh_database(name, run)``."""

import os
import statistics
import time

SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def timed(fn, repeat=1):
    """The median time of ``repeat`` calls, and the last call's result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def round_trip_baseline() -> float:
    """The median of 500 ``SELECT 1`` round trips (after one to warm up): what the benches' figures are set against."""
    from django.db import connection

    def select_one():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    select_one()
    baseline, _ = timed(select_one, repeat=500)
    return baseline


def against(seconds: float, baseline: float) -> str:
    return f"{seconds * 1000:.2f} ms = {seconds / baseline:,.0f}x baseline"


def in_fresh_database(name: str, run) -> None:
    admin_sql(f'DROP DATABASE IF EXISTS "{name}"')
    admin_sql(f'CREATE DATABASE "{name}"')
    try:
        run()
    finally:
        from django.db import connections

        connections.close_all()
        if not os.environ.get("BENCH_KEEP"):
            admin_sql(f'DROP DATABASE IF EXISTS "{name}"')
