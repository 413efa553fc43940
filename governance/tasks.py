from celery import shared_task

from .services import plan


@shared_task(name="governance.meetings_top_up", acks_late=True, expires=3600)
def meetings_top_up() -> int:
    """Hourly: generate meetings up to the horizon (idempotent: a doubled tick creates nothing twice)."""
    return plan.meetings_top_up()
