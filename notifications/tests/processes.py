"""Real processes for the reliability tests: Celery worker and beat, a redis-server, an SMTP server.

Never eager mode: the worker and beat are the production commands, talking to the test database.
"""

import asyncio
import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
SHARED_REDIS_URL = os.environ.get("NOTIFICATIONS_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


class SmtpSink:
    """An in-process SMTP server that records each message's Message-ID (and may refuse some)."""

    def __init__(self, *, delay: float = 0.0, refuse_prefix: str = "bad", tempfail_once_prefix: str = "flaky"):
        self.delay = delay
        self.refuse_prefix = refuse_prefix
        self.tempfail_once_prefix = tempfail_once_prefix
        self.received: list[tuple[str, str]] = []  # (dedupe key, recipient)
        self.tempfailed: set[str] = set()
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith(self.refuse_prefix):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        key = message["Message-ID"].strip("<>").split("@")[0]
        rcpt = envelope.rcpt_tos[0]
        with self.lock:
            if rcpt.startswith(self.tempfail_once_prefix) and rcpt not in self.tempfailed:
                self.tempfailed.add(rcpt)
                return "451 4.3.0 Try again later"
            self.received.append((key, rcpt))
        return "250 Message accepted"

    def keys(self) -> list[str]:
        with self.lock:
            return [key for key, _rcpt in self.received]

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def database_url() -> str:
    s = connection.settings_dict
    return (
        f"postgres://{s['USER']}:{s.get('PASSWORD') or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    )


class Celery:
    """Starts worker/beat processes with the test database, a broker and an SMTP server; kills them all."""

    def __init__(self, *, broker_url: str, smtp_port: int, **env):
        self.tmp = Path(tempfile.mkdtemp(prefix="ntf-celery-"))
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "onboarding_portal.settings",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "VAR_DIR": str(self.tmp),
            "CONN_MAX_AGE": "0",
            "NOTIFICATIONS_LEASE_SECONDS": "3",
            "NOTIFICATIONS_RETRY_BASE_SECONDS": "1",
            "NOTIFICATIONS_RELAY_BATCH": "10",
            "LOG_LEVEL": "INFO",
            **{k: str(v) for k, v in env.items()},
        }
        self.processes: list[subprocess.Popen] = []

    def _start(self, *args, name: str) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "onboarding_portal", *args],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL takes the pool children too
        )
        process.log_path = self.tmp / f"{name}.log"
        self.processes.append(process)
        return process

    def worker(self, name: str = "w1", concurrency: int = 1) -> subprocess.Popen:
        return self._start(
            "worker",
            "--loglevel=INFO",
            f"--concurrency={concurrency}",
            "--pool=prefork",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname={name}@%h",
            name=name,
        )

    def beat(self) -> subprocess.Popen:
        return self._start("beat", "--loglevel=INFO", f"--pidfile={self.tmp / 'beat.pid'}", name="beat")

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(f"--- {p.log_path.name}\n{p.log_path.read_text()[-3000:]}" for p in self.processes)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill(process)
        shutil.rmtree(self.tmp, ignore_errors=True)


class RedisServer:
    """A private redis-server without persistence, which a test may stop and start freely."""

    def __init__(self):
        self.port = free_port()
        self.process = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server")
        assert binary, "redis-server is required for this test (it is installed with Redis in CI)"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_real_clock_env(),
        )
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        wait_for(lambda: _pings(client), 10, what="redis-server to start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


def _real_clock_env() -> dict:
    """The environment for a server process: the real clock, as the machine's Redis and PostgreSQL keep, also when
    bin/test-at runs the suite under libfaketime (redis-server does not start under it)."""
    env = dict(os.environ)
    preload = [lib for lib in env.pop("LD_PRELOAD", "").split(":") if lib and "libfaketime" not in lib]
    if preload:
        env["LD_PRELOAD"] = ":".join(preload)
    env.pop("FAKETIME", None)
    return env


def _pings(client) -> bool:
    try:
        return client.ping()
    except Exception:
        return False


def flush_shared_redis():
    import redis

    redis.Redis.from_url(SHARED_REDIS_URL).flushdb()


def fast_ticks(every: int = 1) -> None:
    """Make the beat ticks (created by post_migrate) fire every second for the test."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=IntervalSchedule.SECONDS)
    for task in PeriodicTask.objects.filter(task__startswith="notifications."):
        task.interval = interval
        task.expire_seconds = every
        task.save()
