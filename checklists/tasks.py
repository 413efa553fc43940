from celery import shared_task

from . import services


@shared_task(name="checklists.ask_day30_satisfaction", acks_late=True, expires=3600)
def ask_day30_satisfaction() -> int:
    """Daily: ask engagements 30 days past kickoff for a satisfaction score (idempotent)."""
    return services.satisfaction_ask_day30()


@shared_task(name="checklists.reschedule_late_plans", acks_late=True, expires=3600)
def reschedule_late_plans() -> int:
    """Hourly: replan, once a day each, the engagements where an item others wait for is past its due date."""
    return services.plan_reschedule_late()
