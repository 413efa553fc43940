"""Thin tasks: each calls one service. Deliveries are rows; a lost or doubled task is harmless."""

from celery import shared_task

from . import services


@shared_task(name="webhooks.relay", acks_late=True, ignore_result=True)
def relay() -> int:
    return services.delivery_relay()


@shared_task(name="webhooks.purge", acks_late=True, ignore_result=True)
def purge() -> int:
    return services.event_purge()
