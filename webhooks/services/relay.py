"""Relaying webhooks: claiming due deliveries, sending them (signed, to the checked address), recording the outcome
and retrying on the Standard Webhooks schedule.

Fairness: a claim takes at most ``WEBHOOKS_PER_ENDPOINT`` due deliveries of each endpoint, each endpoint's are sent
one after another in a thread of their own (short timeouts), and after a network failure an endpoint's other claimed
deliveries go back unattempted. So a slow or dead receiver costs its own thread one timeout per batch and never
holds up another endpoint's deliveries behind it. No HTTP while holding row locks: the claim commits first.
"""

import logging
import random
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .. import network
from ..models import OPEN_STATUSES, Delivery, DeliveryStatus, Endpoint
from ..signing import payload_body, signature_headers
from .notices import endpoint_gone_notify

logger = logging.getLogger("webhooks.services")

# Seconds before each attempt (the spec's schedule): immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
RETRY_SCHEDULE = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
MAX_ATTEMPTS = len(RETRY_SCHEDULE)


def retry_delay(attempts: int, *, retry_after: float | None = None, rng=random) -> timedelta | None:
    """How long after failed attempt number ``attempts`` the next one is due; ``None`` once all are spent.
    Jitter (``WEBHOOKS_RETRY_JITTER``, a fraction) spreads a burst's retries; a receiver's ``Retry-After`` is
    honoured when it asks for longer (up to ``WEBHOOKS_RETRY_AFTER_MAX_SECONDS``)."""
    if attempts >= MAX_ATTEMPTS:
        return None
    seconds = RETRY_SCHEDULE[attempts]
    jitter = settings.WEBHOOKS_RETRY_JITTER
    if jitter:
        seconds *= 1 + rng.uniform(-jitter, jitter)
    if retry_after is not None:
        seconds = max(seconds, min(retry_after, settings.WEBHOOKS_RETRY_AFTER_MAX_SECONDS))
    return timedelta(seconds=seconds)


def _retry_after_seconds(value: str | None, now) -> float | None:
    """``Retry-After`` as seconds: either delay-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max((when - now).total_seconds(), 0.0)


# --- Claiming ------------------------------------------------------------------------------------------------

# Per enabled endpoint, its earliest due deliveries (at most per_endpoint), locked, skipping what another relay
# holds; served by the partial due index (endpoint, next_attempt_at).
_CLAIM_SQL = f"""
SELECT d.id FROM {Endpoint._meta.db_table} ep
CROSS JOIN LATERAL (
    SELECT id FROM {Delivery._meta.db_table}
    WHERE endpoint_id = ep.id AND status IN ('pending', 'sending') AND next_attempt_at <= %s
    ORDER BY next_attempt_at
    LIMIT %s
    FOR UPDATE SKIP LOCKED
) d
WHERE ep.enabled
LIMIT %s
"""


def delivery_claim_batch(*, now=None, limit: int | None = None) -> list[Delivery]:
    """Claim due deliveries: mark them SENDING with a lease (``WEBHOOKS_LEASE_SECONDS``) and count the attempt,
    commit. A relay that dies holding a claim loses it when the lease ends; it is then sent again with the same
    ``webhook-id`` (at-least-once)."""
    now = now or timezone.now()
    limit = limit or settings.WEBHOOKS_RELAY_BATCH
    per_endpoint = settings.WEBHOOKS_PER_ENDPOINT
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(_CLAIM_SQL, [now, per_endpoint, limit])
                ids = [row[0] for row in cursor.fetchall()]
        else:
            ids, taken = [], defaultdict(int)
            for pk, endpoint_id in (
                Delivery.objects.due(now)
                .filter(endpoint__enabled=True)
                .order_by("next_attempt_at")
                .values_list("pk", "endpoint_id")[: limit * per_endpoint]
            ):
                if taken[endpoint_id] < per_endpoint and len(ids) < limit:
                    taken[endpoint_id] += 1
                    ids.append(pk)
        if not ids:
            return []
        # Still SENDING after its last attempt's lease: the relay died on it every time (a hard time limit, OOM,
        # SIGKILL). Give it up rather than let it take a batch down with it every lease.
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING, attempts__gte=MAX_ATTEMPTS).update(
            status=DeliveryStatus.FAILED,
            last_error=f"Gave up: the relay never finished its last {MAX_ATTEMPTS} attempts (lease expired).",
        )
        Delivery.objects.filter(pk__in=ids).exclude(status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.SENDING,
            next_attempt_at=now + timedelta(seconds=settings.WEBHOOKS_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    return list(
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING)
        .select_related("event", "endpoint")
        .order_by("next_attempt_at")
    )


# --- Sending -------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    delivery: Delivery
    status: int | None = None
    duration_ms: int | None = None
    error: str = ""
    retry_after: str | None = None
    network_failure: bool = False
    skipped: bool = False  # not attempted: its endpoint failed earlier in this batch

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _send_one(delivery: Delivery, now) -> Outcome:
    event, endpoint = delivery.event, delivery.endpoint
    now = now or timezone.now()
    body = payload_body(event)
    headers = {
        **signature_headers(
            # The attempt's own time (receivers refuse stale timestamps), whatever clock the relay was given.
            message_id=event.message_id,
            body=body,
            secrets=endpoint.signing_secrets(now),
            at=timezone.now(),
        ),
        "content-type": "application/json",
        "user-agent": "OnboardingPortal-Webhooks/1",
    }
    try:
        response = network.post(
            endpoint.url, body=body.encode(), headers=headers, timeout=settings.WEBHOOKS_TIMEOUT_SECONDS
        )
    except network.Refused as error:
        return Outcome(delivery, error=str(error))
    except Exception as error:  # timeouts, refused connections, TLS and protocol errors: the receiver's side
        return Outcome(delivery, error=f"{type(error).__name__}: {error}"[:500], network_failure=True)
    return Outcome(
        delivery,
        status=response.status,
        duration_ms=response.duration_ms,
        error="" if 200 <= response.status < 300 else f"HTTP {response.status}",
        retry_after=response.headers.get("retry-after"),
    )


def _send_endpoint(deliveries: list[Delivery], now) -> list[Outcome]:
    """One endpoint's claimed deliveries, in order; after a network failure the rest go back unattempted."""
    outcomes = []
    for index, delivery in enumerate(deliveries):
        outcome = _send_one(delivery, now)
        outcomes.append(outcome)
        if outcome.network_failure or outcome.status == 410:
            outcomes.extend(Outcome(rest, skipped=True) for rest in deliveries[index + 1 :])
            break
    return outcomes


def _record(outcome: Outcome, now, rng) -> None:
    delivery = outcome.delivery
    claimed = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=delivery.attempts)
    if outcome.skipped:
        # Back to waiting, uncounted, due with its endpoint's next attempt.
        claimed.update(
            status=DeliveryStatus.PENDING,
            attempts=F("attempts") - 1,
            next_attempt_at=now + timedelta(seconds=RETRY_SCHEDULE[1]),
        )
        return
    common = {
        "last_attempt_at": now,
        "response_code": outcome.status,
        "duration_ms": outcome.duration_ms,
        "last_error": outcome.error,
    }
    if outcome.ok:
        claimed.update(status=DeliveryStatus.DELIVERED, delivered_at=now, **common)
        return
    if outcome.status == 410:
        with transaction.atomic():
            claimed.update(status=DeliveryStatus.CANCELLED, **common)
            endpoint_gone(endpoint=delivery.endpoint, now=now)
        return
    delay = retry_delay(delivery.attempts, retry_after=_retry_after_seconds(outcome.retry_after, now), rng=rng)
    if delay is None:
        claimed.update(status=DeliveryStatus.FAILED, **common)
    else:
        claimed.update(status=DeliveryStatus.PENDING, next_attempt_at=now + delay, **common)


def endpoint_gone(*, endpoint: Endpoint, now) -> None:
    """A receiver answered 410 Gone: disable the endpoint, cancel what waits for it, tell its owner (once)."""
    from django.utils.translation import gettext_noop

    disabled = Endpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
        enabled=False, disabled_reason=gettext_noop("The receiver answered 410 Gone."), updated_at=now
    )
    if not disabled:
        return
    Delivery.objects.filter(endpoint=endpoint, status__in=OPEN_STATUSES).update(
        status=DeliveryStatus.CANCELLED, last_error="Endpoint disabled: 410 Gone"
    )
    endpoint_gone_notify(endpoint=endpoint, now=now)


def delivery_send(deliveries: list[Delivery], *, now=None, rng=random) -> int:
    """Send claimed deliveries, each endpoint's in a thread of its own; returns how many were delivered."""
    by_endpoint = defaultdict(list)
    for delivery in deliveries:
        by_endpoint[delivery.endpoint_id].append(delivery)
    delivered = 0
    threads = max(1, min(len(by_endpoint), settings.WEBHOOKS_RELAY_THREADS))
    # The threads only talk HTTP; this thread records each endpoint's outcomes as they come (one DB connection).
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="webhook") as pool:
        futures = [pool.submit(_send_endpoint, group, now) for group in by_endpoint.values()]
        for future in as_completed(futures):
            for outcome in future.result():
                _record(outcome, now or timezone.now(), rng)
                delivered += outcome.ok
    return delivered


def delivery_relay(*, now=None, time_budget: float | None = None, rng=random) -> int:
    """Claim and send batch after batch until nothing is due or the time budget is spent (the next tick goes on);
    returns how many were delivered."""
    budget = settings.WEBHOOKS_RELAY_TIME_BUDGET if time_budget is None else time_budget
    started, delivered = time.monotonic(), 0
    while time.monotonic() - started < budget:
        batch = delivery_claim_batch(now=now)
        if not batch:
            break
        delivered += delivery_send(batch, now=now, rng=rng)
    return delivered
