"""Thin tasks: each calls one service. The rows are the truth; a lost or doubled tick is harmless."""

from celery import shared_task

from . import services


@shared_task(name="escalations.sweep", acks_late=True, ignore_result=True)
def sweep() -> int:
    return services.escalation_sweep()
