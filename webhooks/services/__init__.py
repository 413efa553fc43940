"""Webhooks: the public API other apps call.

``emit(event_type, data, *, organization=None, engagement=None, now=None)``
    Write one event in the caller's transaction and fan it out to every enabled endpoint that subscribes to its
    type (organization-wide endpoints, and those of the event's client): one row per (event, endpoint), unique.
    ``data`` must be JSON-serialisable; it is the payload's ``data``. The relay is kicked when the transaction
    commits; a beat tick catches anything the kick missed.
``emit_many(specs, *, now=None)``
    The same for many ``EventSpec`` in ONE statement on PostgreSQL (events and their deliveries together), so a
    sweep's query count grows with neither its events nor the endpoints.

By subject: ``emitting`` (the outbox), ``relay`` (claiming, sending, retrying), ``endpoints`` (managing endpoints,
secrets, replays), ``notices`` (telling an endpoint's owner).
"""

from .emitting import EventSpec, emit, emit_many
from .endpoints import (
    deliveries_replay_range,
    delivery_replay,
    endpoint_create,
    endpoint_rotate_secret,
    endpoint_update,
    event_purge,
)
from .relay import RETRY_SCHEDULE, delivery_claim_batch, delivery_relay, retry_delay

__all__ = [
    "RETRY_SCHEDULE",
    "EventSpec",
    "deliveries_replay_range",
    "delivery_claim_batch",
    "delivery_relay",
    "delivery_replay",
    "emit",
    "emit_many",
    "endpoint_create",
    "endpoint_rotate_secret",
    "endpoint_update",
    "event_purge",
    "retry_delay",
]
