"""Load benchmark: the heaviest pages (dashboards, My work, the portal home, an engagement) under concurrent load,
against a signed-in one-query baseline.

Creates its own PostgreSQL database (never the dev one), seeds the benchmark's data size (1,000 clients, 2,000
engagements, 100,000 checklist items, as ``engagements_bench.py``, plus client comments and a key user), starts
gunicorn (2 sync workers, persistent database connections, ``DEBUG=false``) and, side by side, a load generator
with 50 connections: ``wrk`` when it is installed, else a small bounded Python generator (asyncio, keep-alive
HTTP/1.1, 127.0.0.1 only). It measures the baseline (``/baseline/``: one query behind the same middleware) and each
page in one run, signed in as the page's natural person, the baseline again right before each page (a shared
machine's load comes and goes), and prints requests per second, errors, timeouts and each page's ratio to the
baseline measured next to it, against its target. Drops the database at the end (``--keep`` keeps it).

    .venv/bin/python bench/load_bench.py [--seconds 10] [--connections 50] [--python-client] [--keep]

``BENCH_DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/op_bench_load) names the database; it is
dropped and created again, so its name must start with ``op_bench``. ``BENCH_CACHE_URL`` sets the cache the web
workers share (default: each worker's own memory; ``redis://...`` as in production).
"""

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from engagements_bench import drop_database, recreate_database, seed  # noqa: E402

# The targets: a page's throughput as a share of the baseline's (the dashboards may cost five one-query
# views, the engagement page ten).
DASHBOARD_TARGET, ENGAGEMENT_TARGET = 0.2, 0.1
CLIENT_COMMENTS = 2_000
SECRET = "load-bench-secret-key-not-for-production-0123456789"


@dataclass
class Result:
    label: str
    path: str
    target: float | None
    requests_per_s: float = 0.0
    errors: int = 0
    timeouts: int = 0
    latency_ms: float = 0.0
    size: int = 0
    ratio: float | None = None
    baseline: float | None = None


def seed_more():
    """What the new pages show besides the engagements: a client key user (the portal home), client comments
    waiting for an answer (My work)."""
    from django.utils import timezone

    from accounts.models import Organization, Role, User
    from checklists.models import ChecklistItem, ItemComment

    now = timezone.now()
    client = Organization.objects.filter(kind="client").order_by("pk").first()
    key_user = User(email="keyuser@bench.example", full_name="Key User", organization=client, role=Role.CLIENT_KEY_USER)
    key_user.set_unusable_password()
    key_user.save()
    items = list(
        ChecklistItem.objects.filter(owner_side="client").order_by("pk").values_list("pk", flat=True)[:CLIENT_COMMENTS]
    )
    ItemComment.objects.bulk_create(
        [
            ItemComment(item_id=pk, author=key_user, body=f"Question {n} about this task", created_at=now)
            for n, pk in enumerate(items)
        ]
    )
    return key_user


def session_cookie(user) -> str:
    """A signed-in session for ``user``, as the login view makes it (the workers read it from the database)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "onboarding_portal.wsgi",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit("gunicorn did not start")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


# --- Load generators --------------------------------------------------------------------------------------------


def run_wrk(url: str, cookie: str, *, seconds: int, connections: int) -> dict:
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "-H",
            f"Cookie: {cookie}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    median = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", output)
    scale = {"us": 0.001, "ms": 1, "s": 1000}
    return {
        "rps": rps,
        "errors": (int(non_2xx.group(1)) if non_2xx else 0)
        + (sum(int(socket_errors.group(i)) for i in (1, 2, 3)) if socket_errors else 0),
        "timeouts": int(socket_errors.group(4)) if socket_errors else 0,
        "latency_ms": float(median.group(1)) * scale[median.group(2)] if median else 0.0,
    }


async def _python_load(host: str, port: int, path: str, cookie: str, *, seconds: int, connections: int) -> dict:
    """``connections`` keep-alive HTTP/1.1 clients for ``seconds``; each reads a whole response before the next
    request (as wrk does). Bounded: 127.0.0.1 only, a fixed duration, a 10 s timeout per request."""
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nConnection: keep-alive\r\n\r\n").encode()
    deadline = time.monotonic() + seconds
    done, errors, timeouts, latencies = 0, 0, 0, []

    async def client():
        nonlocal done, errors, timeouts
        reader = writer = None
        while time.monotonic() < deadline:
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                started = time.monotonic()
                writer.write(request)
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
                status = int(head.split(b" ", 2)[1])
                length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
                await asyncio.wait_for(reader.readexactly(length), 10)
                latencies.append((time.monotonic() - started) * 1000)
                done += 1
                if status >= 400:
                    errors += 1
                if re.search(rb"(?i)connection:\s*close", head):
                    writer.close()
                    reader = writer = None
            except TimeoutError:
                timeouts += 1
                writer, reader = None, None
            except (OSError, asyncio.IncompleteReadError, AttributeError, ValueError):
                errors += 1
                writer, reader = None, None
        if writer is not None:
            writer.close()

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.monotonic() - started
    return {
        "rps": done / elapsed,
        "errors": errors,
        "timeouts": timeouts,
        "latency_ms": statistics.median(latencies) if latencies else 0.0,
    }


def run_python(url_host: str, port: int, path: str, cookie: str, *, seconds: int, connections: int) -> dict:
    return asyncio.run(_python_load(url_host, port, path, cookie, seconds=seconds, connections=connections))


# --- The run ----------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="load per page (after a 2 s warm-up)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--python-client", action="store_true", help="use the Python load generator even with wrk")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/op_bench_load")
    recreate_database(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "600",
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "locmemcache://"),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "onboarding_portal.settings",
    }
    env.pop("REDIS_URL", None)
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")})
    os.environ["CACHE_URL"] = env["CACHE_URL"]
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    server = None
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        seeded = seed()
        key_user = seed_more()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"Seeded {seeded['clients']:,} clients, {seeded['engagements']:,} engagements, {seeded['items']:,} "
            f"checklist items, {CLIENT_COMMENTS:,} client comments in {time.perf_counter() - started:.0f} s"
        )
        from accounts.models import User
        from engagements.models import Engagement

        csm = User.objects.filter(role="csm").order_by("pk").first()
        director = User.objects.get(email="director@bench.example")
        engagement = Engagement.objects.filter(csm=csm).order_by("pk").first()
        cookies = {user.pk: session_cookie(user) for user in (csm, director, key_user)}
        connection.close()

        port = free_port()
        server = start_gunicorn(env, port)
        use_wrk = shutil.which("wrk") and not args.python_client
        generator = "wrk" if use_wrk else "Python (asyncio)"
        print(
            f"gunicorn: 2 sync workers on 127.0.0.1:{port}; load: {generator}, {args.connections} connections, "
            f"{args.seconds} s per page after a 2 s warm-up\n"
        )
        csm_count = Engagement.objects.filter(csm=csm).count()
        pages = [
            Result("baseline: signed-in one-query view", "/baseline/", None),
            Result(f"CSM dashboard ({csm_count} engagements)", "/", DASHBOARD_TARGET),
            Result("director's portfolio (2,000 engagements)", "/", DASHBOARD_TARGET),
            Result("My work (CSM)", "/my-work/", DASHBOARD_TARGET),
            Result("portal home (client key user)", "/portal/", DASHBOARD_TARGET),
            Result("engagement page (50 items)", f"/engagements/{engagement.pk}/", ENGAGEMENT_TARGET),
        ]
        people = [csm, csm, director, csm, key_user, csm]

        def measure(result, person, seconds):
            cookie = cookies[person.pk]
            if use_wrk:
                return run_wrk(
                    f"http://127.0.0.1:{port}{result.path}", cookie, seconds=seconds, connections=args.connections
                )
            return run_python("127.0.0.1", port, result.path, cookie, seconds=seconds, connections=args.connections)

        for result, person in zip(pages, people, strict=True):
            check = subprocess.run(
                [
                    "curl",
                    "-s",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code} %{size_download}",
                    "-H",
                    f"Cookie: {cookies[person.pk]}",
                    f"http://127.0.0.1:{port}{result.path}",
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            if check[0] != "200":
                sys.exit(f"{result.path} answered {check[0]} before the load; fix it first")
            result.size = int(check[1])
            measure(result, person, 2)  # warm-up: templates compiled, caches filled, connections open
        # The machine may be shared: the baseline is measured again right before each page, and each page's ratio
        # is to that neighbouring baseline, so a load that comes and goes meanwhile does not skew the ratio.
        baselines = []
        for result, person in zip(pages, people, strict=True):
            if result.target is not None:
                base_run = measure(pages[0], csm, args.seconds)
                baselines.append(base_run["rps"])
                pages[0].errors += base_run["errors"]
                pages[0].timeouts += base_run["timeouts"]
                pages[0].latency_ms = base_run["latency_ms"]
            measured = measure(result, person, args.seconds)
            result.requests_per_s = measured["rps"]
            result.errors, result.timeouts = measured["errors"], measured["timeouts"]
            result.latency_ms = measured["latency_ms"]
            result.baseline = baselines[-1] if result.target is not None else None
        pages[0].requests_per_s = statistics.median(baselines)
        print(
            f"  {'page':44} {'req/s':>8} {'base':>8} {'x base':>7} {'target':>7} {'median':>9} {'errors':>7} "
            f"{'timeouts':>9} {'KB':>6}"
        )
        ok = True
        for result in pages:
            base = result.baseline or pages[0].requests_per_s
            result.ratio = result.requests_per_s / base if base else 0
            verdict = ""
            if result.target is not None:
                passed = result.ratio >= result.target and not result.errors and not result.timeouts
                ok &= passed
                verdict = "ok" if passed else "BELOW"
            target = f"{result.target:.2f}" if result.target else "-"
            print(
                f"  {result.label:44} {result.requests_per_s:8.1f} {base:8.1f} {result.ratio:7.2f} {target:>7} "
                f"{result.latency_ms:7.1f}ms {result.errors:7d} {result.timeouts:9d} "
                f"{result.size / 1024:6.1f} {verdict}"
            )
        print(f"\n  (baseline: the median of {len(baselines)} runs, one right before each page)")
        print("\nAll pages reach their targets." if ok else "\nSome pages are below their targets.")
    finally:
        if server is not None:
            stop(server)
        connection.close()
        if not args.keep:
            drop_database(url)


if __name__ == "__main__":
    main()
