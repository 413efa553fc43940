"""Writing the outbox: ``notify`` and ``notify_many`` (see the package docstring)."""

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from .. import registry
from ..bulk import execute_bound
from ..models import Channel, Notification, Status
from . import entries
from .entries import NotifyRequest
from .fanout import fanout_write
from .kick import relay_kick_on_commit
from .preferences import digest_ensure

# --- Writing the outbox ----------------------------------------------------------------------------------


def notify(
    *,
    event: str,
    recipients,
    category: str,
    template: str,
    context: dict | None = None,
    target=None,
    url: str | None = None,
    channels=(Channel.EMAIL, Channel.IN_APP),
    language: str = "",
    now=None,
    deferred: bool = False,
) -> int:
    """Write the outbox rows of one event (see the package docstring). Returns how many rows were new."""
    request = NotifyRequest(
        event=event,
        recipients=recipients,
        category=category,
        template=template,
        context=context or {},
        target=target,
        url=url,
        channels=tuple(channels),
        language=language,
    )
    return notify_many([request], now=now, deferred=deferred)


@transaction.atomic
def notify_many(requests: Iterable[NotifyRequest], *, now=None, deferred: bool = False) -> int:
    """Write the outbox rows of many requests in a constant number of queries. Returns how many rows were new.

    ``deferred=True`` writes one ``NotificationFanout`` row per request instead (who must be told of what), and
    the relay expands it into the outbox rows soon after commit, exactly once (see ``fanout``): for a sweep that
    notifies thousands of events at once, whose transaction must stay short. Returns how many fan-out rows were
    new then."""
    now = now or timezone.now()
    requests = list(requests)
    for request in requests:
        entries.check_category(request.category)
    if deferred:
        return fanout_write(requests, now=now)
    User = get_user_model()
    rules = entries.Rules(
        preferences=entries.preferences_of(
            {r.pk for request in requests for r in request.recipients if isinstance(r, User)}
        ),
        mandatory=registry.mandatory_categories(),
        user_model=User,
    )
    subjects = entries.subjects_for_batch()
    rows, seen = [], set()
    for request in requests:
        target_type = ContentType.objects.get_for_model(request.target) if request.target is not None else None
        target_id = str(request.target.pk) if request.target is not None else ""
        url = entries.target_url(request.target, request.url)
        subject_context = {
            **request.context,
            **registry.context_for(request.template, request.target),
            "target": request.target,
        }
        for user, address, channel, dedupe_key, status, subject in entries.outbox_entries_with_subjects(
            template=request.template,
            language=request.language,
            subject_context=subject_context,
            subjects=subjects,
            event=request.event,
            recipients=request.recipients,
            category=request.category,
            channels=request.channels,
            force_immediate=request.force_immediate,
            rules=rules,
            seen=seen,
        ):
            rows.append(
                _OutboxRow(
                    event=request.event,
                    dedupe_key=dedupe_key,
                    category=request.category,
                    channel=channel,
                    status=status,
                    recipient=user,
                    to_email=address,
                    template=request.template,
                    language=request.language,
                    subject=subject,
                    context=request.context,
                    url=url,
                    target_type_id=target_type.pk if target_type else None,
                    target_id=target_id,
                )
            )
    if not rows:
        return 0
    # The unique dedupe key turns a second write of the same event into a no-op, even from a racing sweep.
    new = _insert_new(rows, now)
    held_for = {row.recipient_id: row.recipient for row in rows if row.status == Status.HELD}
    if held_for:
        digest_ensure(users=list(held_for.values()), now=now)
    if any(row.channel == Channel.EMAIL and row.status == Status.PENDING for row in rows):
        relay_kick_on_commit()
    return new


@dataclass(slots=True)
class _OutboxRow:
    """One outbox row to write: the columns that differ between the rows of a ``notify_many`` call (a sweep
    writes thousands; building model instances for them would cost more than writing them)."""

    event: str
    dedupe_key: str
    category: str
    channel: str
    status: str
    recipient: object
    to_email: str
    template: str
    language: str
    subject: str
    context: dict
    url: str
    target_type_id: int | None
    target_id: str

    @property
    def recipient_id(self):
        return self.recipient.pk if self.recipient is not None else None

    def instance(self, now) -> Notification:
        return Notification(
            event=self.event,
            dedupe_key=self.dedupe_key,
            category=self.category,
            channel=self.channel,
            status=self.status,
            recipient=self.recipient,
            to_email=self.to_email,
            template=self.template,
            language=self.language,
            subject=self.subject,
            context=self.context,
            url=self.url,
            target_type_id=self.target_type_id,
            target_id=self.target_id,
            created_at=now,
            next_attempt_at=now,
            sent_at=now if self.status == Status.SENT else None,
        )


# The columns notify_many writes per row (the rest are the same for every row of a call: see ``_insert_new``).
_ROW_COLUMNS = (
    ("event", "text"),
    ("dedupe_key", "text"),
    ("category", "text"),
    ("channel", "text"),
    ("status", "text"),
    ("recipient_id", "bigint"),
    ("to_email", "text"),
    ("template", "text"),
    ("language", "text"),
    ("subject", "text"),
    ("context", "text"),
    ("url", "text"),
    ("target_type_id", "integer"),
    ("target_id", "text"),
)


def _insert_new(rows: list[_OutboxRow], now) -> int:
    """Insert the rows that do not exist yet (by dedupe key); returns how many were new.

    On PostgreSQL: ONE statement whatever the number of rows (``INSERT ... SELECT FROM unnest(arrays) ON CONFLICT
    DO NOTHING RETURNING``, bound on the server: ``bulk.execute_bound``), so a sweep's query count does not grow with
    what it notifies, and no per-value parameters (a batch of thousands of rows stays far from the 65,535-parameter
    limit). Elsewhere: bulk_create."""
    if connection.vendor != "postgresql":
        before = Notification.objects.filter(dedupe_key__in=[row.dedupe_key for row in rows]).count()
        Notification.objects.bulk_create([row.instance(now) for row in rows], ignore_conflicts=True, batch_size=500)
        return len(rows) - before
    encoder = Notification._meta.get_field("context").encoder
    dumped: dict[int, str] = {}  # a request's context is shared by its rows: dump it once

    def context_json(row):
        key = id(row.context)
        if key not in dumped:
            dumped[key] = json.dumps(row.context, cls=encoder)
        return dumped[key]

    arrays = [
        [context_json(row) if column == "context" else getattr(row, column) for row in rows]
        for column, _type in _ROW_COLUMNS
    ]
    names = ", ".join(column for column, _type in _ROW_COLUMNS)
    # %b: each array goes in binary (psycopg would send lists of text as quoted literals otherwise).
    casts = ", ".join(f"%b::{db_type}[]" for _column, db_type in _ROW_COLUMNS)
    selected = ", ".join("v.context::jsonb" if column == "context" else f"v.{column}" for column, _t in _ROW_COLUMNS)
    inserted = execute_bound(
        f"INSERT INTO {Notification._meta.db_table} ({names}, created_at, next_attempt_at, sent_at, attempts,"
        f" last_error) SELECT {selected}, %s::timestamptz, %s::timestamptz,"
        f" CASE WHEN v.status = %s::text THEN %s::timestamptz END, 0, ''"
        f" FROM unnest({casts}) AS v({names}) ON CONFLICT DO NOTHING RETURNING 1",
        [now, now, str(Status.SENT), now, *arrays],
        fetch=True,
    )
    return len(inserted)
