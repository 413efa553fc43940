"""Deferred fan-out: ``notify_many(..., deferred=True)`` writes who must be told of what; the relay expands it.

Writing the outbox rows of an event means rendering a subject per reader language and writing a row per recipient
and channel. For one event that is cheap; for a sweep that escalates thousands of red flags in one transaction it is
most of the sweep's time (measured: about two thirds of a 1,000-flag batch). So such a caller writes one
``NotificationFanout`` row per request instead, in its own transaction (one ``INSERT ... SELECT FROM unnest``
whatever the number of rows, ``ON CONFLICT (event) DO NOTHING``), and kicks the relay on commit.

The relay (``relay.notification_relay``, kicked on commit and ticked by beat) expands pending rows batch by batch:
it claims them with ``SELECT ... FOR UPDATE SKIP LOCKED``, writes their outbox rows and marks the rows expanded, all in
ONE transaction. The outbox rows of a whole batch are ONE ``INSERT ... SELECT`` from arrays joined to the claimed
fan-out rows (which give the columns an event's rows share: event, template, context, link, target, time); who gets
which rows is decided by ``entries.outbox_entries``, the rule ``notify_many`` applies (preferences now, inactive
people, bare addresses, channels, dedupe keys), and each subject is rendered in its reader's language and zone by
``subjects``, once per template, reader and shape rather than per row. So the rows are those ``notify_many`` would
write for the same requests (a test compares them). So:

- a relay killed mid-expansion commits nothing: the rows stay pending and the next relay expands them (none lost);
- two relays never expand the same row at once (the row lock), and a row expanded twice anyway (a stale claim)
  writes nothing twice, because each outbox row's dedupe key is unique (none doubled);
- a row whose expansion fails (a template that no longer renders, say) records its error and backs off without
  holding up the others, and fails for good after ``NOTIFICATIONS_MAX_ATTEMPTS``.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .. import registry
from ..bulk import execute_bound
from ..models import Channel, FanoutStatus, Notification, NotificationFanout, Status
from .common import backoff, drain_batches, revive
from .entries import (
    NotifyRequest,
    Rules,
    check_category,
    outbox_entries_with_subjects,
    preferences_of,
    subjects_for_batch,
    target_url,
)
from .kick import relay_kick_on_commit
from .preferences import digest_ensure

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
        "url": target_url(target, request.url),
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


# What the expansion reads of a claimed row, as named tuples (a model instance per row is not needed).
_CLAIMED = (
    "pk",
    "event",
    "category",
    "template",
    "language",
    "context",
    "url",
    "target_type_id",
    "target_id",
    "recipient_ids",
    "emails",
    "channels",
    "force_immediate",
    "created_at",
    "attempts",
)

# The columns an event's outbox rows share, copied from its fan-out row.
_SHARED = ("event", "category", "template", "language", "context", "url", "target_type_id", "target_id")
# The columns the expansion computes per outbox row; the rest are copied from the row's fan-out in the INSERT.
_ENTRY_COLUMNS = (
    ("fanout_id", "bigint"),
    ("dedupe_key", "text"),
    ("channel", "text"),
    ("status", "text"),
    ("recipient_id", "bigint"),
    ("to_email", "text"),
    ("subject", "text"),
)


def _targets(fanouts, subjects) -> dict[tuple, object]:
    """The objects the rows are about, where their subject needs them (a context provider for the template, a
    subject that reads ``target``, or one rendered per row): one query per kind of object."""
    wanted = defaultdict(set)
    for fanout in fanouts:
        if fanout.target_type_id and _needs_target(fanout.template, subjects):
            wanted[fanout.target_type_id].add(fanout.target_id)
    found = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        for pk, obj in model._base_manager.in_bulk(list(ids)).items():
            found[(type_id, str(pk))] = obj
    return found


def _needs_target(template: str, subjects) -> bool:
    shape = subjects.shape(template)
    return registry.has_context_provider(template) or shape is None or "target" in shape.names


def _write_outbox(fanouts, users: dict) -> None:
    """Write the outbox rows of claimed fan-out rows: per recipient and channel as ``outbox_entries`` decides (the
    rule ``notify_many`` applies), each subject in its reader's language and zone, in ONE ``INSERT ... SELECT`` that
    takes the columns shared by an event's rows from its fan-out row. Their time is their event's time."""
    for fanout in fanouts:
        check_category(fanout.category)
    subjects = subjects_for_batch()
    targets = _targets(fanouts, subjects)
    rules = Rules(
        preferences=preferences_of({pk for fanout in fanouts for pk in fanout.recipient_ids}),
        mandatory=registry.mandatory_categories(),
        user_model=get_user_model(),
    )
    entries, seen, held, any_mail = [], set(), {}, False
    for fanout in fanouts:
        target = targets.get((fanout.target_type_id, fanout.target_id))
        stored = fanout.context
        shape = subjects.shape(fanout.template)
        if shape is not None and not registry.has_context_provider(fanout.template):
            # Only what the subject reads (and the title, the plain subject of a template that fails) is revived.
            stored = {name: stored[name] for name in (*shape.names, "title") if name in stored}
        # Stored as JSON: datetimes come back as such, so subjects show them in each reader's zone.
        subject_context = {**revive(stored), **registry.context_for(fanout.template, target), "target": target}
        for user, address, channel, dedupe_key, status, subject in outbox_entries_with_subjects(
            template=fanout.template,
            language=fanout.language,
            subject_context=subject_context,
            subjects=subjects,
            event=fanout.event,
            recipients=[users[pk] for pk in fanout.recipient_ids if pk in users] + list(fanout.emails),
            category=fanout.category,
            channels=fanout.channels,
            force_immediate=fanout.force_immediate,
            rules=rules,
            seen=seen,
        ):
            entries.append((fanout.pk, dedupe_key, channel, status, user.pk if user else None, address, subject))
            if status == Status.HELD:
                held.setdefault(user.pk, (user, fanout.created_at))
            any_mail = any_mail or (channel == Channel.EMAIL and status == Status.PENDING)
    if not entries:
        return
    _insert_entries(entries, fanouts)
    if held:
        # Held mail needs a digest to go out in, scheduled from the earliest event that held some.
        digest_ensure(users=[user for user, _at in held.values()], now=min(at for _user, at in held.values()))
    if any_mail:
        relay_kick_on_commit()


def _insert_entries(entries: list[tuple], fanouts) -> None:
    if connection.vendor != "postgresql":
        by_id = {fanout.pk: fanout for fanout in fanouts}
        rows = []
        for entry in entries:
            columns = dict(zip((column for column, _type in _ENTRY_COLUMNS), entry, strict=True))
            fanout = by_id[columns.pop("fanout_id")]
            rows.append(
                Notification(
                    **columns,
                    **{field: getattr(fanout, field) for field in _SHARED},
                    created_at=fanout.created_at,
                    next_attempt_at=fanout.created_at,
                    sent_at=fanout.created_at if columns["status"] == Status.SENT else None,
                )
            )
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        return
    names = ", ".join(column for column, _type in _ENTRY_COLUMNS)
    casts = ", ".join(f"%b::{db_type}[]" for _column, db_type in _ENTRY_COLUMNS)
    # The unique dedupe key makes a second expansion of the same rows (a stale claim) write nothing twice.
    execute_bound(
        f"INSERT INTO {Notification._meta.db_table} (event, dedupe_key, category, channel, status, recipient_id,"
        " to_email, template, language, subject, context, url, target_type_id, target_id, created_at,"
        " next_attempt_at, sent_at, attempts, last_error)"
        " SELECT f.event, v.dedupe_key, f.category, v.channel, v.status, v.recipient_id, v.to_email, f.template,"
        " f.language, v.subject, f.context, f.url, f.target_type_id, f.target_id, f.created_at, f.created_at,"
        " CASE WHEN v.status = %s::text THEN f.created_at END, 0, ''"
        f" FROM unnest({casts}) AS v({names}) JOIN {NotificationFanout._meta.db_table} AS f"
        # The claimed ids again, so the join reads those rows by key (on the unnest alone it hashed the whole
        # table, expanded rows included, for each batch).
        " ON f.id = v.fanout_id AND f.id = ANY(%b::bigint[])"
        " ON CONFLICT DO NOTHING",
        [
            str(Status.SENT),
            *(list(column) for column in zip(*entries, strict=True)),
            [fanout.pk for fanout in fanouts],
        ],
    )


def _expand(fanouts, users: dict) -> dict[int, Exception]:
    """Write the outbox rows of ``fanouts``; on an error, row by row so that only the failing rows are left out.
    Returns the errors by row id."""
    try:
        with transaction.atomic():
            _write_outbox(fanouts, users)
        return {}
    except SoftTimeLimitExceeded:
        raise
    except Exception:
        logger.exception("A batch of %d notification fan-outs failed; expanding them one by one", len(fanouts))
    errors = {}
    for fanout in fanouts:
        try:
            with transaction.atomic():
                _write_outbox([fanout], users)
        except SoftTimeLimitExceeded:
            raise
        except Exception as error:
            errors[fanout.pk] = error
    return errors


def _mark_expanded(ids: list[int], now) -> None:
    if connection.vendor != "postgresql":
        NotificationFanout.objects.filter(pk__in=ids).update(
            status=FanoutStatus.EXPANDED, expanded_at=now, last_error=""
        )
        return
    # Bound on the server like the INSERT: a batch's ids go as one array, not quoted one by one into the SQL text.
    execute_bound(
        f"UPDATE {NotificationFanout._meta.db_table} SET status = %s, expanded_at = %s, last_error = ''"
        " WHERE id = ANY(%b::bigint[])",
        [str(FanoutStatus.EXPANDED), now, ids],
    )


def fanout_expand_batch(*, now=None, limit: int | None = None) -> int:
    """Claim pending fan-out rows, write their outbox rows and mark them expanded, in one transaction (see the
    module docstring). Returns the number of rows claimed."""
    now = now or timezone.now()
    limit = limit or settings.NOTIFICATIONS_FANOUT_BATCH
    with transaction.atomic():
        fanouts = list(
            NotificationFanout.objects.filter(status=FanoutStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list(*_CLAIMED, named=True)[:limit]
        )
        if not fanouts:
            return 0
        # What the rule and the subjects read of a recipient (a batch names hundreds of people).
        users = (
            get_user_model()
            .objects.only("email", "is_active", "language", "time_zone")
            .in_bulk({pk for fanout in fanouts for pk in fanout.recipient_ids})
        )
        errors = _expand(fanouts, users)
        _mark_expanded([fanout.pk for fanout in fanouts if fanout.pk not in errors], now)
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
    budget = settings.NOTIFICATIONS_RELAY_TIME_BUDGET if time_budget is None else time_budget
    return drain_batches(fanout_expand_batch, now=now, budget=budget)


def fanout_purge_batch(*, now=None, limit: int | None = None) -> int:
    """Delete up to ``limit`` fan-out rows expanded more than ``NOTIFICATIONS_FANOUT_KEEP_DAYS`` ago, oldest first;
    returns how many. Once expanded, a row only kept a second write of its event from being expanded again, and
    that second write now writes nothing new: the outbox rows' dedupe keys are unique. Pending and failed rows stay
    (the relay and the admin still need them)."""
    now = now or timezone.now()
    limit = limit or settings.NOTIFICATIONS_FANOUT_PURGE_BATCH
    cutoff = now - timedelta(days=settings.NOTIFICATIONS_FANOUT_KEEP_DAYS)
    with transaction.atomic():
        # Oldest ids first: expanded rows come in id order, so the scan of the primary key stops after ``limit``.
        ids = list(
            NotificationFanout.objects.filter(status=FanoutStatus.EXPANDED, expanded_at__lt=cutoff)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            NotificationFanout.objects.filter(pk__in=ids).delete()
    return len(ids)


def fanout_purge(*, now=None, time_budget: float | None = None) -> int:
    """Purge expanded fan-out rows batch by batch until none is old enough or the budget is spent."""
    budget = settings.NOTIFICATIONS_RELAY_TIME_BUDGET if time_budget is None else time_budget
    return drain_batches(fanout_purge_batch, now=now, budget=budget)
