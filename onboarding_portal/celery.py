import logging
import os
import warnings

from celery import Celery, signals
from celery.exceptions import CPendingDeprecationWarning

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding_portal.settings")

logger = logging.getLogger(__name__)

# DjangoTask gives every task delay_on_commit(), so work that follows a write is only
# enqueued once that write is committed.
app = Celery("onboarding_portal", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# The options a worker on the Redis broker needs to survive a Redis restart; see settings.py and deploy/README.md.
REDIS_WORKER_OPTIONS = ("without_gossip", "without_mingle", "without_heartbeat")


def worker_restart_risks(*, broker_url: str, concurrency: int | None, options: dict) -> list[str]:
    """What in a worker's options makes it likely to exit when Redis restarts (empty when nothing)."""
    if not broker_url.startswith(("redis://", "rediss://", "redis+socket://")):
        return []
    risks = []
    if concurrency and concurrency > 1:
        risks.append(
            f"--concurrency={concurrency}: a worker that runs some tasks while polling for more exits with "
            "\"'NoneType' object has no attribute 'hostname'\" when Redis restarts; run more worker processes "
            "of concurrency 1 instead"
        )
    missing = [name for name in REDIS_WORKER_OPTIONS if not options.get(name)]
    if missing:
        flags = " ".join("--" + name.replace("_", "-") for name in missing)
        risks.append(
            f"{flags} missing: gossip's channel teardown fails the same way on a Redis restart (kombu#582), "
            "and the portal uses none of these worker-to-worker messages"
        )
    return risks


@signals.celeryd_after_setup.connect
def silence_cancel_on_connection_loss_notice(**kwargs):
    # Celery repeats this notice on every broker connection loss while
    # worker_cancel_long_running_tasks_on_connection_loss is False, to announce that Celery 6 turns it on by
    # default. We set it explicitly (settings.py says why), so the new default changes nothing here. Added
    # after the worker's logging setup, which puts Celery's own "always show" filters in front.
    warnings.filterwarnings(
        "ignore",
        message=r"\s*In Celery 5\.1 we introduced an optional breaking change",
        category=CPendingDeprecationWarning,
    )


@signals.celeryd_init.connect
def warn_about_restart_risks(sender=None, conf=None, options=None, **kwargs):
    options = options or {}
    concurrency = options.get("concurrency") or conf.worker_concurrency
    for risk in worker_restart_risks(broker_url=conf.broker_url or "", concurrency=concurrency, options=options):
        logger.warning("Worker %s may not survive a Redis restart: %s. See deploy/README.md.", sender, risk)
