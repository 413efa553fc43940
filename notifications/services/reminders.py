"""The reminders engine: rows with a due time, swept in batches by beat (see the package docstring)."""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .. import registry
from ..models import (
    Reminder,
    ReminderStatus,
)
from .common import backoff, drain_batches

logger = logging.getLogger("notifications.services")


# --- Reminders ---------------------------------------------------------------------------------------------


def reminder_schedule(
    *,
    key: str,
    kind: str,
    due_at: datetime,
    target=None,
    repeat_every: timedelta | None = None,
    payload=None,
    now=None,
) -> Reminder:
    """Create or move a reminder (idempotent per ``key``). Call inside the transaction of the change that
    sets the due time, so the reminder exists exactly when the change does."""
    if timezone.is_naive(due_at):
        raise ValueError("due_at must be timezone-aware")
    now = now or timezone.now()
    defaults = {
        "kind": kind,
        "due_at": due_at,
        "status": ReminderStatus.PENDING,
        "repeat_every": repeat_every,
        "payload": payload or {},
        "attempts": 0,
        "last_error": "",
        "updated_at": now,
        "target_type": ContentType.objects.get_for_model(target) if target is not None else None,
        "target_id": str(target.pk) if target is not None else "",
    }
    reminder, _created = Reminder.objects.update_or_create(key=key, defaults=defaults)
    return reminder


@dataclass
class ReminderSpec:
    key: str
    kind: str
    due_at: datetime
    target: object = None
    payload: dict = field(default_factory=dict)
    repeat_every: timedelta | None = None


def reminder_schedule_many(specs: Iterable[ReminderSpec], *, now=None) -> int:
    """``reminder_schedule`` for many reminders at once (generating a year of meetings schedules thousands):
    one upsert per 1,000 rows, keyed on ``key``, so calling it again moves the rows instead of doubling them."""
    now = now or timezone.now()
    rows = []
    for spec in specs:
        if timezone.is_naive(spec.due_at):
            raise ValueError("due_at must be timezone-aware")
        rows.append(
            Reminder(
                key=spec.key,
                kind=spec.kind,
                due_at=spec.due_at,
                status=ReminderStatus.PENDING,
                repeat_every=spec.repeat_every,
                payload=spec.payload,
                attempts=0,
                last_error="",
                created_at=now,
                updated_at=now,
                target_type=ContentType.objects.get_for_model(spec.target) if spec.target is not None else None,
                target_id=str(spec.target.pk) if spec.target is not None else "",
            )
        )
    Reminder.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=[
            "kind",
            "due_at",
            "status",
            "repeat_every",
            "payload",
            "attempts",
            "last_error",
            "updated_at",
            "target_type",
            "target_id",
        ],
    )
    return len(rows)


def reminder_cancel(*, key: str, now=None) -> int:
    return Reminder.objects.filter(key=key, status=ReminderStatus.PENDING).update(
        status=ReminderStatus.CANCELLED, updated_at=now or timezone.now()
    )


_DONE = object()


def _run_handler(handler, reminders, now):
    with transaction.atomic():
        return handler(reminders, now=now) or {}


def _next_due(reminder: Reminder, outcome, now):
    """Where a fired reminder goes: a handler's answer, else its repeat, else done (None)."""
    if outcome is _DONE:
        if reminder.repeat_every:
            due = reminder.due_at
            # Skip the repeats missed during an outage: one reminder now, then on the rhythm.
            while due <= now:
                due += reminder.repeat_every
            return due
        return None
    if outcome is None:
        return None
    # A handler asking for a time already past would loop within one sweep.
    return max(outcome, now + timedelta(seconds=1))


def _record_outcomes(batch: list[Reminder], outcomes: dict, errors: dict, now) -> None:
    """Write what happened to a claimed batch in a constant number of queries (a CASE per row and field,
    as bulk_update builds, costs more than the whole sweep)."""
    fired = [r for r in batch if r.pk not in errors]
    done_ids, moved = [], {}
    for reminder in fired:
        next_due = _next_due(reminder, outcomes.get(reminder.pk, _DONE), now)
        if next_due is None:
            done_ids.append(reminder.pk)
        else:
            moved[reminder.pk] = next_due
    if fired:
        Reminder.objects.filter(pk__in=[r.pk for r in fired]).update(
            fired_count=F("fired_count") + 1, last_fired_at=now, attempts=0, last_error="", updated_at=now
        )
    if done_ids:
        Reminder.objects.filter(pk__in=done_ids).update(status=ReminderStatus.DONE)
    if moved:
        _set_due_at(moved)
    if errors:
        failing = [r for r in batch if r.pk in errors]
        for reminder in failing:
            reminder.attempts += 1
            reminder.last_error = errors[reminder.pk][:2000]
            # Backing off moves it out of the sweep's way, so it cannot block the others.
            reminder.due_at = now + backoff(reminder.attempts)
            reminder.updated_at = now
        Reminder.objects.bulk_update(failing, ["attempts", "last_error", "due_at", "updated_at"])


def _set_due_at(due_by_pk: dict[int, datetime]) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Reminder._meta.db_table} AS r SET due_at = v.due_at"
                " FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, due_at) WHERE r.id = v.id",
                [list(due_by_pk), list(due_by_pk.values())],
            )
        return
    rows = list(Reminder.objects.filter(pk__in=list(due_by_pk)).only("pk", "due_at"))
    for row in rows:
        row.due_at = due_by_pk[row.pk]
    Reminder.objects.bulk_update(rows, ["due_at"])


def reminder_sweep_batch(*, now=None, limit: int | None = None) -> int:
    """Claim one batch of due reminders (skipping rows another sweep holds), fire them through their kinds'
    handlers and move or finish each, all in one transaction: a reminder's effects and its being marked
    fired commit together, so a crash neither loses nor repeats one. A failing reminder records its error and
    backs off without blocking the others. Returns the number of reminders claimed."""
    now = now or timezone.now()
    limit = limit or settings.REMINDERS_SWEEP_BATCH
    with transaction.atomic():
        batch = list(
            Reminder.objects.filter(status=ReminderStatus.PENDING, due_at__lte=now)
            .order_by("due_at")
            .select_for_update(skip_locked=True)[:limit]
        )
        if not batch:
            return 0
        by_kind = defaultdict(list)
        for reminder in batch:
            by_kind[reminder.kind].append(reminder)
        outcomes: dict[int, object] = {}
        errors: dict[int, str] = {}
        for kind, reminders in by_kind.items():
            handler = registry.reminder_handler_for(kind)
            if handler is None:
                errors.update({r.pk: f"No handler is registered for kind {kind!r}." for r in reminders})
                continue
            try:
                outcomes.update(_run_handler(handler, reminders, now))
            except SoftTimeLimitExceeded:
                raise  # Out of time: the whole batch rolls back and stays due for the next tick.
            except Exception:
                for reminder in reminders:
                    try:
                        outcomes.update(_run_handler(handler, [reminder], now))
                    except SoftTimeLimitExceeded:
                        raise
                    except Exception as error:
                        logger.exception("Reminder %s (%s) failed", reminder.key, kind)
                        errors[reminder.pk] = f"{type(error).__name__}: {error}"
        _record_outcomes(batch, outcomes, errors, now)
    return len(batch)


def reminder_sweep(*, now=None, time_budget: float | None = None) -> int:
    """Fire everything due, batch by batch, within a time budget (the next tick continues)."""
    budget = settings.REMINDERS_SWEEP_TIME_BUDGET if time_budget is None else time_budget
    return drain_batches(reminder_sweep_batch, now=now, budget=budget)
