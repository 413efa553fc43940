"""Thin tasks: each calls one service. The rows are the truth; a lost or doubled task is harmless."""

from celery import shared_task

from . import services
from .services.kick import RELAY_TASK


@shared_task(name=RELAY_TASK, acks_late=True, ignore_result=True)
def relay() -> int:
    return services.notification_relay()


@shared_task(name="notifications.reminders_sweep", acks_late=True, ignore_result=True)
def reminders_sweep() -> int:
    return services.reminder_sweep()


@shared_task(name="notifications.fanout_purge", acks_late=True, ignore_result=True)
def fanout_purge() -> int:
    return services.fanout_purge()
