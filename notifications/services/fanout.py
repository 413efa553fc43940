"""Deferred fan-out: ``notify_many(..., deferred=True)`` writes who must be told of what; the relay expands it.

Writing the outbox rows of an event means rendering a subject per reader language and writing a row per recipient
and channel. For one event that is cheap; for a sweep that escalates thousands of red flags in one transaction it is
most of the sweep's time (measured: about two thirds of a 1,000-flag batch). So such a caller writes one
``NotificationFanout`` row per request instead, in its own transaction (one ``INSERT ... SELECT FROM unnest``
whatever the number of rows, ``ON CONFLICT (event) DO NOTHING``), and kicks the relay on commit.

The relay (``relay.notification_relay``, kicked on commit and ticked by beat) expands pending rows batch by batch:
it claims them with ``SELECT ... FOR UPDATE SKIP LOCKED``, writes their outbox rows through the ordinary
``notify_many`` (subjects rendered in each reader's language and zone now, preferences applied now), and marks the
rows expanded, all in ONE transaction. So:

- a relay killed mid-expansion commits nothing: the rows stay pending and the next relay expands them (none lost);
- two relays never expand the same row at once (the row lock), and a row expanded twice anyway (a stale claim)
  writes nothing twice, because each outbox row's dedupe key is unique (none doubled);
- a row whose expansion fails (a template that no longer renders, say) records its error and backs off without
  holding up the others, and fails for good after ``NOTIFICATIONS_MAX_ATTEMPTS``.
"""

import logging
from collections import defaultdict

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from ..bulk import execute_bound
from ..models import FanoutStatus, NotificationFanout
from .common import backoff, drain, revive
from .outbox import NotifyRequest, _target_url, notify_many, relay_kick_on_commit

logger = logging.getLogger("notifications.services")

# The columns written per fan-out row, with their PostgreSQL types (JSON goes as text and is cast).
_COLUMNS = (
    ("event", "text"),
    ("category", "text"),
    ("template", "text"),
    ("language", "text"),
    ("context", "jsonb"),
    ("url", "text"),
    ("target_type_id", "integer"),
    ("target_id", "text"),
    ("recipient_ids", "jsonb"),
    ("emails", "jsonb"),
    ("channels", "jsonb"),
    ("force_immediate", "boolean"),
)


def _row(request: NotifyRequest, User) -> dict | None:
    recipient_ids, emails = [], []
    for recipient in request.recipients:
        if isinstance(recipient, User):
            recipient_ids.append(recipient.pk)
        else:
            emails.append(recipient.lower())
    if not recipient_ids and not emails:
        return None
    target = request.target
    return {
        "event": request.event,
        "category": request.category,
        "template": request.template,
        "language": request.language,
        "context": request.context,
        "url": _target_url(target, request.url),
        "target_type_id": ContentType.objects.get_for_model(target).pk if target is not None else None,
        "target_id": str(target.pk) if target is not None else "",
        "recipient_ids": list(dict.fromkeys(recipient_ids)),
        "emails": list(dict.fromkeys(emails)),
        "channels": [str(channel) for channel in request.channels],
        "force_immediate": request.force_immediate,
    }


def fanout_write(requests: list[NotifyRequest], *, now) -> int:
    """Write one fan-out row per request (in the caller's transaction); returns how many were new."""
    User = get_user_model()
    rows = [row for row in (_row(request, User) for request in requests) if row is not None]
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        encode = NotificationFanout._meta.get_field("context").encoder().encode
        arrays = []
        for column, db_type in _COLUMNS:
            values = [row[column] for row in rows]
            if db_type == "jsonb":
                values = [encode(value) for value in values]
            arrays.append(values)
        names = ", ".join(column for column, _type in _COLUMNS)
        casts = ", ".join(f"%b::{'text' if t == 'jsonb' else t}[]" for _c, t in _COLUMNS)
        selected = ", ".join(f"v.{c}::jsonb" if t == "jsonb" else f"v.{c}" for c, t in _COLUMNS)
        # ONE statement whatever the number of rows; a second write of the same event (a racing sweep) is a no-op.
        new = len(
            execute_bound(
                f"INSERT INTO {NotificationFanout._meta.db_table} ({names}, status, created_at, next_attempt_at,"
                f" attempts, last_error) SELECT {selected}, %s::text, %s::timestamptz, %s::timestamptz, 0, ''"
                f" FROM unnest({casts}) AS v({names}) ON CONFLICT (event) DO NOTHING RETURNING 1",
                [str(FanoutStatus.PENDING), now, now, *arrays],
                fetch=True,
            )
        )
    else:
        before = NotificationFanout.objects.filter(event__in=[row["event"] for row in rows]).count()
        NotificationFanout.objects.bulk_create(
            [NotificationFanout(**row, created_at=now, next_attempt_at=now) for row in rows],
            ignore_conflicts=True,
            batch_size=500,
        )
        new = NotificationFanout.objects.filter(event__in=[row["event"] for row in rows]).count() - before
    if new:
        relay_kick_on_commit()
    return new


def fanout_write_select(select_sql: str, params: dict, *, now) -> int:
    """Write one fan-out row per row of ``select_sql`` (in the caller's transaction), in ONE ``INSERT ... SELECT``
    whatever the number of rows; returns how many were new. For callers that work out who must be told of what in
    SQL (the escalation sweep), so that no row passes through Python. The SELECT (a ``WITH`` query is fine) yields
    the fan-out columns in this order, JSON ones as ``jsonb``: event, category, template, language, context, url,
    target_type_id, target_id, recipient_ids, emails, channels, force_immediate. It takes its ``params`` by name
    (``%(name)s``, or ``%(name)b`` for arrays sent in binary), bound on the server (``notifications.bulk``); names
    starting with ``fanout_`` are this function's. A row whose event exists already is skipped, as in
    ``fanout_write``."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("fanout_write_select needs PostgreSQL; use fanout_write")
    names = ", ".join(column for column, _type in _COLUMNS)
    new = execute_bound(
        f"WITH written AS (INSERT INTO {NotificationFanout._meta.db_table} ({names}, status, created_at,"
        " next_attempt_at, attempts, last_error) SELECT s.*, %(fanout_status)s::text, %(fanout_now)s::timestamptz,"
        f" %(fanout_now)s::timestamptz, 0, '' FROM ({select_sql}) AS s ({names}) ON CONFLICT (event) DO NOTHING"
        " RETURNING 1) SELECT count(*) FROM written",
        {**params, "fanout_status": str(FanoutStatus.PENDING), "fanout_now": now},
        fetch=True,
    )[0][0]
    if new:
        relay_kick_on_commit()
    return new


def _targets(fanouts) -> dict[tuple, object]:
    """The objects the rows are about, one query per kind of object (their ``get_absolute_url``, their context)."""
    wanted = defaultdict(set)
    for fanout in fanouts:
        if fanout.target_type_id:
            wanted[fanout.target_type_id].add(fanout.target_id)
    found = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        for pk, obj in model._base_manager.in_bulk(list(ids)).items():
            found[(type_id, str(pk))] = obj
    return found


def _request(fanout: NotificationFanout, users: dict, targets: dict) -> NotifyRequest:
    return NotifyRequest(
        event=fanout.event,
        recipients=[users[pk] for pk in fanout.recipient_ids if pk in users] + list(fanout.emails),
        category=fanout.category,
        template=fanout.template,
        # Stored as JSON: datetimes come back as such, so subjects show them in each reader's zone.
        context=revive(fanout.context),
        target=targets.get((fanout.target_type_id, fanout.target_id)),
        url=fanout.url,
        channels=tuple(fanout.channels),
        force_immediate=fanout.force_immediate,
        language=fanout.language,
    )


def _expand(fanouts, requests: dict) -> dict[int, Exception]:
    """Write the outbox rows of ``fanouts`` (grouped by their event's time, which becomes the rows' time); on an
    error, row by row so that only the failing rows are left out. Returns the errors by row id."""
    by_time = defaultdict(list)
    for fanout in fanouts:
        by_time[fanout.created_at].append(fanout)
    try:
        with transaction.atomic():
            for created_at, group in by_time.items():
                notify_many([requests[f.pk] for f in group], now=created_at)
        return {}
    except SoftTimeLimitExceeded:
        raise
    except Exception:
        logger.exception("A batch of %d notification fan-outs failed; expanding them one by one", len(fanouts))
    errors = {}
    for fanout in fanouts:
        try:
            with transaction.atomic():
                notify_many([requests[fanout.pk]], now=fanout.created_at)
        except SoftTimeLimitExceeded:
            raise
        except Exception as error:
            errors[fanout.pk] = error
    return errors


def fanout_expand_batch(*, now=None, limit: int | None = None) -> int:
    """Claim pending fan-out rows, write their outbox rows and mark them expanded, in one transaction (see the
    module docstring). Returns the number of rows claimed."""
    now = now or timezone.now()
    limit = limit or settings.NOTIFICATIONS_FANOUT_BATCH
    with transaction.atomic():
        fanouts = list(
            NotificationFanout.objects.filter(status=FanoutStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True)[:limit]
        )
        if not fanouts:
            return 0
        users = get_user_model().objects.in_bulk({pk for fanout in fanouts for pk in fanout.recipient_ids})
        targets = _targets(fanouts)
        requests = {fanout.pk: _request(fanout, users, targets) for fanout in fanouts}
        errors = _expand(fanouts, requests)
        NotificationFanout.objects.filter(pk__in=[f.pk for f in fanouts if f.pk not in errors]).update(
            status=FanoutStatus.EXPANDED, expanded_at=now, last_error=""
        )
        for fanout in fanouts:
            if fanout.pk in errors:
                logger.warning("Notification fan-out %s failed: %s", fanout.pk, errors[fanout.pk])
                attempts = fanout.attempts + 1
                NotificationFanout.objects.filter(pk=fanout.pk).update(
                    attempts=F("attempts") + 1,
                    last_error=f"{type(errors[fanout.pk]).__name__}: {errors[fanout.pk]}"[:2000],
                    next_attempt_at=now + backoff(attempts),
                    status=FanoutStatus.FAILED
                    if attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS
                    else FanoutStatus.PENDING,
                )
    return len(fanouts)


def fanout_expand(*, now=None, time_budget: float | None = None) -> int:
    """Expand pending fan-out rows batch by batch until none is due or the budget is spent; returns how many."""

    def step():
        claimed = fanout_expand_batch(now=now)
        return claimed, claimed

    return drain(step, budget=settings.NOTIFICATIONS_RELAY_TIME_BUDGET if time_budget is None else time_budget)
