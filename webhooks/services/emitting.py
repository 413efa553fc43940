"""Writing the outbox: an event row and its deliveries, in the transaction that caused the event."""

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from notifications.bulk import execute_bound, task_kick_on_commit

from .. import events
from ..models import Delivery, DeliveryStatus, Endpoint, Event


def _pk(value):
    return getattr(value, "pk", value)


@dataclass(frozen=True)
class EventSpec:
    type: str
    data: dict = field(default_factory=dict)
    organization_id: int | None = None
    engagement_id: int | None = None
    key: str = ""

    @classmethod
    def of(cls, event_type: str, data: dict, *, organization=None, engagement=None, key: str = "") -> "EventSpec":
        """``organization`` and ``engagement``: instances or ids (the client's endpoints get the event). ``key``:
        the event happens once per key (a second emit with it writes nothing)."""
        return cls(event_type, data, _pk(organization), _pk(engagement), key)


def emit(event_type: str, data: dict, *, organization=None, engagement=None, key: str = "", now=None) -> int:
    """Write one event and its deliveries; returns how many deliveries were written."""
    spec = EventSpec.of(event_type, data, organization=organization, engagement=engagement, key=key)
    return emit_many([spec], now=now)


# Events and deliveries in one statement: the CTE inserts the events, the outer INSERT fans them out to the enabled
# endpoints that subscribe to their type (organization-wide, or of the event's client). ON CONFLICT: an event whose
# key exists already is not written (nor fanned out); the unique (event, endpoint) makes a doubled fan-out a no-op.
_EMIT_SQL = f"""
WITH ev AS (
    INSERT INTO {Event._meta.db_table} (id, type, organization_id, engagement_id, data, key, created_at)
    SELECT v.id, v.type, v.organization_id, v.engagement_id, v.data::jsonb, v.key, %(now)s::timestamptz
    FROM unnest(%(ids)b::uuid[], %(types)b::text[], %(organizations)b::bigint[], %(engagements)b::bigint[],
                %(data)b::text[], %(keys)b::text[]) AS v(id, type, organization_id, engagement_id, data, key)
    ON CONFLICT DO NOTHING
    RETURNING id, type, organization_id
)
INSERT INTO {Delivery._meta.db_table} (event_id, endpoint_id, status, attempts, next_attempt_at, last_error, created_at)
SELECT ev.id, ep.id, %(pending)s, 0, %(now)s::timestamptz, '', %(now)s::timestamptz
FROM ev JOIN {Endpoint._meta.db_table} ep
  ON ep.enabled
 AND (ep.organization_id IS NULL OR ep.organization_id = ev.organization_id)
 AND jsonb_exists(ep.event_types, ev.type)
ON CONFLICT (event_id, endpoint_id) DO NOTHING
RETURNING 1
"""


def emit_many(specs: Iterable[EventSpec], *, now=None) -> int:
    """Write many events and their deliveries in one statement (PostgreSQL; atomic by itself, so no savepoint);
    returns how many deliveries. Nothing at all for no events."""
    now = now or timezone.now()
    specs = list(specs)
    if not specs:
        return 0
    for spec in specs:
        events.check(spec.type)
    ids = [uuid.uuid4() for _spec in specs]
    dumped = [json.dumps(spec.data, cls=DjangoJSONEncoder) for spec in specs]
    if connection.vendor != "postgresql":
        with transaction.atomic():
            written = _emit_portable(specs, ids, dumped, now)
    else:
        written = len(
            execute_bound(
                _EMIT_SQL,
                {
                    "now": now,
                    "ids": ids,
                    "types": [spec.type for spec in specs],
                    "organizations": [spec.organization_id for spec in specs],
                    "engagements": [spec.engagement_id for spec in specs],
                    "data": dumped,
                    "keys": [spec.key for spec in specs],
                    "pending": str(DeliveryStatus.PENDING),
                },
                fetch=True,
            )
        )
    if written:
        relay_kick_on_commit()
    return written


def _emit_portable(specs, ids, dumped, now) -> int:
    """SQLite (the development default): the same rows, in Python, in a constant number of queries."""
    taken = set(Event.objects.filter(key__in=[spec.key for spec in specs if spec.key]).values_list("key", flat=True))
    rows = []
    for spec, event_id, data in zip(specs, ids, dumped, strict=True):
        if spec.key and spec.key in taken:
            continue
        taken.add(spec.key)
        rows.append(
            Event(
                id=event_id,
                type=spec.type,
                organization_id=spec.organization_id,
                engagement_id=spec.engagement_id,
                data=json.loads(data),
                key=spec.key,
                created_at=now,
            )
        )
    Event.objects.bulk_create(rows, batch_size=500)
    endpoints = list(Endpoint.objects.filter(enabled=True).values_list("pk", "organization_id", "event_types"))
    deliveries = [
        Delivery(event_id=event.id, endpoint_id=pk, next_attempt_at=now, created_at=now)
        for event in rows
        for pk, organization_id, types in endpoints
        if event.type in types and organization_id in (None, event.organization_id)
    ]
    Delivery.objects.bulk_create(deliveries, batch_size=500, ignore_conflicts=True)
    return len(deliveries)


def relay_kick_on_commit() -> None:
    """One relay run after the current transaction commits, however many events it emitted."""
    from .. import tasks

    task_kick_on_commit(tasks.relay)
