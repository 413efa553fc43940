from celery import shared_task

from .services import plan, promises


@shared_task(name="governance.meetings_top_up", acks_late=True, expires=3600)
def meetings_top_up() -> int:
    """Hourly: generate meetings up to the horizon (idempotent: a doubled tick creates nothing twice)."""
    return plan.meetings_top_up()


@shared_task(name="governance.promises_mark_broken", acks_late=True, expires=60)
def promises_mark_broken() -> int:
    """Every minute: mark the promises that passed their due time unkept broken (once each; idempotent)."""
    return promises.promises_mark_broken()
