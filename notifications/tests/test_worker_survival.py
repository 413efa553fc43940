"""A Redis restart while a worker is busy sending: the worker stays up, processing goes on, nothing goes out twice.

Real processes (processes.py): the production worker command (one task at a time, without gossip, mingle and
heartbeat), beat, a private redis-server the test restarts empty (as Redis without persistence comes back), and
a slow SMTP server. settings.py says why each setting is there; deploy/README.md what was measured.
"""

import time
from collections import Counter

import pytest

from accounts.tests.factories import UserFactory
from notifications import services
from notifications.models import Category
from notifications.services import GENERIC_TEMPLATE

from .processes import Celery, RedisServer, SmtpSink, fast_ticks, sql, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _pending_emails(count: int, *, prefix: str) -> None:
    for n, user in enumerate(UserFactory(email=f"{prefix}{n}@example.com") for n in range(count)):
        services.notify(
            event=f"test.redis-restart:{prefix}:{n}",
            recipients=[user],
            category=Category.DIGEST,
            template=GENERIC_TEMPLATE,
            context={"title": f"Checklist item {n} is due"},
        )


def _emails_sent() -> int:
    return sql("SELECT count(*) FROM notifications_notification WHERE channel = 'email' AND status = 'sent'")[0][0]


def test_a_redis_restart_while_the_worker_is_sending_neither_stops_it_nor_sends_anything_twice():
    fast_ticks()
    _pending_emails(40, prefix="before")
    with (
        RedisServer() as redis_server,
        SmtpSink(delay=0.15) as smtp,
        # A lease far longer than a batch takes: any second claim of a row would be a real double send.
        Celery(broker_url=redis_server.url, smtp_port=smtp.port, NOTIFICATIONS_LEASE_SECONDS=60) as celery,
    ):
        worker = celery.worker("w1")
        beat = celery.beat()
        try:
            wait_for(lambda: len(smtp.keys()) >= 5, 60, what="the worker to be busy sending")
            redis_server.stop()
            # The relay holding the worker's one unacknowledged task is mid-way through the 40 emails.
            assert len(smtp.keys()) < 40
            time.sleep(1)
            redis_server.start()  # same port, empty
            wait_for(lambda: _emails_sent() == 40, 60, what="the emails pending before the restart to be sent")
            # The relay that ran through the restart has finished now. These rows go out only if the worker
            # consumes the ticks beat sends through the restarted Redis.
            time.sleep(1)
            _pending_emails(10, prefix="after")
            # A worker that exited cannot send them: stop waiting at once (the assertion below says so).
            wait_for(
                lambda: _emails_sent() == 50 or worker.poll() is not None,
                60,
                what="the emails written after the restart to be sent",
            )
            time.sleep(1)  # more ticks: nothing more may go out
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n{celery.logs()}") from None
        assert worker.poll() is None, f"the worker exited:\n{celery.logs()}"
        assert beat.poll() is None, f"beat exited:\n{celery.logs()}"
        worker_log = worker.log_path.read_text()
    assert "Connection to broker lost" in worker_log, "the restart must have reached the worker"
    assert "Unrecoverable error" not in worker_log

    # Exactly once per dedupe key: one row each, sent at the first attempt, received once by the SMTP server.
    assert sql("SELECT dedupe_key FROM notifications_notification GROUP BY dedupe_key HAVING count(*) > 1") == []
    assert sql(
        "SELECT status, attempts, count(*) FROM notifications_notification WHERE channel = 'email' GROUP BY 1, 2"
    ) == [("sent", 1, 50)]
    keys = {key for (key,) in sql("SELECT dedupe_key FROM notifications_notification WHERE channel = 'email'")}
    received = Counter(smtp.keys())
    assert set(received) == keys
    assert set(received.values()) == {1}
