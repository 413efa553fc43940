"""Thin tasks: each calls one service. The rows are the truth; a lost or doubled tick is harmless."""

import logging

from celery import shared_task
from django.conf import settings

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="escalations.sweep", acks_late=True, ignore_result=True)
def sweep(helper: bool = False) -> int:
    # Beat's tick asks idle workers to help when more is due than one batch (after an outage); a helper asks
    # nobody, so a tick adds at most ESCALATIONS_SWEEP_HELPERS tasks, and a lost one only means one worker fewer.
    return services.escalation_sweep(on_backlog=None if helper else _ask_for_helpers)


@shared_task(name="escalations.holidays_keep_ahead", acks_late=True, ignore_result=True, expires=3600)
def holidays_keep_ahead() -> int:
    """Daily: every calendar's public holidays reach a year ahead (idempotent: a doubled tick adds nothing)."""
    return services.calendar_holidays_keep_ahead()


def _ask_for_helpers() -> None:
    for _ in range(settings.ESCALATIONS_SWEEP_HELPERS):
        try:
            # A helper that no worker took within one tick's budget is dropped: the next tick asks again if need be,
            # so a long backlog on busy workers does not pile helpers up in the queue.
            sweep.apply_async(kwargs={"helper": True}, expires=settings.ESCALATIONS_SWEEP_TIME_BUDGET)
        except Exception:
            logger.warning("Could not ask another worker to help with the escalation sweep; this one goes on alone.")
            return
