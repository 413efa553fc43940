from celery import shared_task

from . import figures
from .services import promise_notices


# The name the tick had when the ledger lived in governance: the beat row and queued messages still carry it.
@shared_task(name="governance.promises_mark_broken", acks_late=True, expires=60)
def promises_mark_broken() -> int:
    """Every minute: mark the promises that passed their due time unkept broken (once each; idempotent)."""
    return promise_notices.promises_mark_broken()


@shared_task(name="engagements.figures_tick", acks_late=True, expires=300)
def figures_tick() -> int:
    """Every 5 minutes: recompute the dashboard figures of a day gone by (items that fell overdue at midnight,
    windows of days that moved), in batches; idempotent."""
    return figures.figures_tick()
