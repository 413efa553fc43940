"""Kicking the relay once the writing transaction commits (the outbox and the fan-out writer both do)."""

import logging

from celery import current_app
from django.db import connection, transaction

logger = logging.getLogger("notifications.services")

# The relay task's name (``notifications.tasks.relay``). It is looked up by name in Celery's registry, so the
# writers need not import the tasks module, which imports them.
RELAY_TASK = "notifications.relay"


def _kick_relay():
    try:
        current_app.tasks[RELAY_TASK].delay()
    except Exception:
        logger.warning("Could not enqueue the notification relay; the periodic tick will pick the rows up.")


def relay_kick_on_commit() -> None:
    """Enqueue one relay run after the current transaction commits (once, however many rows it wrote)."""
    if any(func is _kick_relay for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_kick_relay)
