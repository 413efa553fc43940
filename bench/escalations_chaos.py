"""Chaos run of the escalation timers (not part of the test suite): a few minutes of load on real Celery workers and
beat, with workers SIGKILLed at random and PostgreSQL restarted in the middle of a sweep, then the invariants in SQL.

    python bench/escalations_chaos.py [--minutes 3] [--seed 7]

It starts its own PostgreSQL cluster (initdb in a temporary folder, on a free port; as the ``postgres`` account when
run as root) and its own redis-server, so restarting them disturbs nobody else. Every half second it makes a batch of
red flags whose acknowledge deadline comes two seconds later, and acknowledges a fifth of them at once (those must
never escalate); two workers (two processes each) and a beat ticking every
second sweep them. Meanwhile a random worker is killed with SIGKILL every few seconds (and a new one started, as a
supervisor would), and PostgreSQL is restarted (``pg_ctl restart -m fast``) once a third of the way in and once at
two thirds, while flags are due. Afterwards it waits for the sweep to catch up and prints:

- flags due (made minus acknowledged in time) and escalations made (must be equal: every due escalation exactly
  once);
- escalations made twice, due escalations lost, escalations of flags acknowledged in time, escalations without
  their notifications (exactly one fan-out row: their own, or, as a batch of 50 flags of one engagement is above
  ``ESCALATIONS_GROUP_NOTICES_ABOVE``, mostly their group notice's; and its outbox rows once expanded) or timeline
  line, group notices covering no escalation or the wrong ones, fan-out rows the relay (kicked on commit and ticked
  by beat) never expanded, outbox rows doubled (all must be 0).

Exit status 0 when every invariant holds.
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivatePostgres:
    """A throwaway PostgreSQL cluster that may be restarted at will."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="esc-chaos-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args, check=True):
        command = [str(PG_BIN / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True)

    def start(self):
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.pg_ctl("start")

    def pg_ctl(self, action: str, *extra):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl", action, "-D", str(self.data), "-w", "-t", "60", "-o", options, "-l", str(self.dir / "log"), *extra
        )

    def restart(self):
        self.pg_ctl("restart", "-m", "fast")

    def stop(self):
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/chaos"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    postgres = PrivatePostgres()
    postgres.start()
    subprocess.run(
        [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", "chaos"], check=True
    )
    os.environ.update(
        DATABASE_URL=postgres.url,
        DJANGO_SETTINGS_MODULE="onboarding_portal.settings",
        LOG_LEVEL="WARNING",
        CONN_MAX_AGE="0",
        EMAIL_URL="dummymail://",
    )
    try:
        return run(args, rng, postgres)
    finally:
        postgres.stop()


def run(args, rng, postgres) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import OperationalError, connections
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from escalations.tests import invariants
    from notifications.tests.processes import Celery, RedisServer

    call_command("migrate", verbosity=0)
    interval, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(task="escalations.sweep").update(interval=interval, expire_seconds=1)
    PeriodicTask.objects.filter(task__startswith="notifications.").update(enabled=False)
    # The relay expands what the sweeps deferred (who must be told): kicked after each batch commits, and ticked by
    # beat, as in production, for the kicks lost with a killed worker.
    relay_interval, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(task="notifications.relay").update(
        enabled=True, interval=relay_interval, expire_seconds=2
    )

    from datetime import timedelta

    from django.core.exceptions import ValidationError

    from escalations import services
    from escalations.models import RedFlag

    made, acknowledged, kills, restarts, beat_restarts, load_errors = [], set(), 0, 0, 0, 0
    with (
        RedisServer() as redis_server,
        Celery(broker_url=redis_server.url, smtp_port=free_port(), ESCALATIONS_SWEEP_BATCH=25) as celery,
    ):
        workers = [celery.worker(f"w{n}", concurrency=2) for n in range(2)]
        beat = celery.beat()
        started = time.monotonic()
        duration = args.minutes * 60
        restart_at = [duration / 3, 2 * duration / 3]
        next_kill = rng.uniform(3, 8)
        print(f"Chaos for {args.minutes:g} min: PostgreSQL on port {postgres.port}, Redis on {redis_server.port}")
        while (elapsed := time.monotonic() - started) < duration:
            try:
                batch = invariants.due_flags(50, due_in=timedelta(seconds=2), prefix=f"Load {len(made)}")
                made.extend(batch)
                staff = RedFlag.objects.select_related("engagement__pm").get(pk=batch[0]).engagement.pm
                for flag_id in batch[:10]:
                    try:
                        services.flag_acknowledge(flag=flag_id, by=staff, expected_level=1)
                    except ValidationError:
                        pass  # the deadline's escalation came first: it stays due
                    else:
                        acknowledged.add(flag_id)
            except OperationalError:
                load_errors += 1  # the database is restarting: the next round goes on
                connections.close_all()
            if restart_at and elapsed >= restart_at[0]:
                restart_at.pop(0)
                postgres.restart()  # flags are due and being swept right now
                restarts += 1
                connections.close_all()
                print(f"  {elapsed:5.0f} s: PostgreSQL restarted mid-sweep")
            if elapsed >= next_kill:
                victim = rng.randrange(len(workers))
                Celery.kill(workers[victim])
                workers[victim] = celery.worker(f"w{kills + 2}", concurrency=2)
                kills += 1
                next_kill = elapsed + rng.uniform(3, 8)
            if beat.poll() is not None:  # a supervisor restarts beat (it may die with its database connection)
                beat = celery._start(
                    "beat", "--loglevel=INFO", f"--pidfile={celery.tmp / f'beat{beat_restarts}.pid'}", name="beat"
                )
                beat_restarts += 1
            time.sleep(0.5)
        print(f"Load done: {len(made):,} flags made; catching up ...", flush=True)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if invariants.escalation_count(made) >= len(made) - len(acknowledged) and not (
                    invariants.fanouts_not_expanded()
                ):
                    break
            except OperationalError:
                connections.close_all()
            time.sleep(1)
        caught_up = time.monotonic() - started - duration

    escalations = invariants.escalation_count(made)
    checks = {
        "escalations made twice": len(invariants.duplicate_escalations()),
        "due escalations lost": len(invariants.flags_due_and_not_escalated(made)),
        "escalations of flags acknowledged in time": len(invariants.escalations_despite_acknowledgement()),
        "escalations without notifications or timeline line": len(invariants.escalations_without_notifications()),
        "group notices covering no escalation or the wrong ones": len(invariants.group_notices_not_matching()),
        "fan-out rows not expanded by the relay": len(invariants.fanouts_not_expanded()),
        "outbox rows doubled or written without their fan-out": len(invariants.notifications_not_from_their_fanout()),
    }
    fanouts, outbox = invariants.sql(
        "SELECT (SELECT count(*) FROM notifications_notificationfanout), (SELECT count(*) FROM"
        " notifications_notification WHERE event LIKE 'escalation%%')"
    )[0]
    print(
        f"\nWorkers SIGKILLed: {kills}; PostgreSQL restarts: {restarts}; beat restarted: {beat_restarts};"
        f" load rounds lost to a restart: {load_errors}; caught up {caught_up:.0f} s after the load"
    )
    due = len(made) - len(acknowledged)
    print(
        f"Flags made: {len(made):,}, acknowledged in time: {len(acknowledged):,}, so due: {due:,};"
        f" escalations: {escalations:,} (must be equal); fan-out rows: {fanouts:,}, expanded into {outbox:,}"
        " outbox rows of escalations"
    )
    for name, count in checks.items():
        print(f"{name}: {count}")
    ok = escalations == due and not any(checks.values())
    print("INVARIANTS HOLD" if ok else "INVARIANTS BROKEN")
    return 0 if ok else 1


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sys.exit(main())
