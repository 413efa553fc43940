"""Managing endpoints: create, change, rotate the secret, replay deliveries, purge old events."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import events, network, permissions
from ..models import Delivery, DeliveryStatus, Endpoint, Event, secret_new
from .emitting import relay_kick_on_commit

EDITABLE = ("url", "description", "event_types", "enabled", "organization")


def endpoint_validate(endpoint: Endpoint) -> None:
    """The URL must be public (``network``), the events from the catalogue; raises ``ValidationError``."""
    errors = {}
    try:
        network.target_for(endpoint.url)
    except network.Refused as error:
        errors["url"] = str(error)
    unknown = [name for name in endpoint.event_types if name not in events.CATALOGUE]
    if not endpoint.event_types:
        errors["event_types"] = _("Choose at least one event.")
    elif unknown:
        errors["event_types"] = _("Unknown events: %(names)s.") % {"names": ", ".join(unknown)}
    if errors:
        raise ValidationError(errors)


def _require(by, organization) -> None:
    if by is not None and not permissions.may_manage_endpoint_for(by, organization):
        raise PermissionDenied(_("You may not manage webhooks for this client."))


@transaction.atomic
def endpoint_create(*, by, url, event_types, organization=None, description="", enabled=True, now=None) -> Endpoint:
    """``by`` None: a system call (the admin site checks its own permissions)."""
    _require(by, organization)
    endpoint = Endpoint(
        url=url,
        event_types=list(event_types),
        organization=organization,
        description=description,
        enabled=enabled,
        created_by=by,
        created_at=now or timezone.now(),
    )
    endpoint_validate(endpoint)
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_update(*, endpoint: Endpoint, by, **changes) -> Endpoint:
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    _require(by, endpoint.organization)
    for name, value in changes.items():
        if name not in EDITABLE:
            raise TypeError(f"{name} cannot be changed here")
        setattr(endpoint, name, value)
    _require(by, endpoint.organization)
    if endpoint.enabled:
        endpoint.disabled_reason = ""
    endpoint_validate(endpoint)
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: Endpoint, by, now=None) -> Endpoint:
    """A new secret; the old one stays valid for ``WEBHOOKS_SECRET_GRACE_HOURS`` (both signatures are sent), so the
    receiver can switch without losing a delivery."""
    now = now or timezone.now()
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    _require(by, endpoint.organization)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = now + timedelta(hours=settings.WEBHOOKS_SECRET_GRACE_HOURS)
    endpoint.secret = secret_new()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"])
    return endpoint


@transaction.atomic
def delivery_replay(*, delivery: Delivery, by, now=None) -> Delivery:
    """Send one delivery again, at once, with the same ``webhook-id`` and a fresh retry schedule."""
    now = now or timezone.now()
    delivery = Delivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    _require(by, delivery.endpoint.organization)
    if delivery.status != DeliveryStatus.SENDING:
        delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.PENDING, 0, now
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
        relay_kick_on_commit()
    return delivery


# The endpoint's events of a time range: deliveries it lacks are written, the others put back to pending (not one
# being sent now). One statement, however long the range.
_REPLAY_SQL = f"""
INSERT INTO {Delivery._meta.db_table} AS d (event_id, endpoint_id, status, attempts, next_attempt_at, last_error,
                                            created_at)
SELECT ev.id, %(endpoint)s, 'pending', 0, %(now)s, '', %(now)s
FROM {Event._meta.db_table} ev
WHERE ev.created_at >= %(since)s AND ev.created_at < %(until)s
  AND ev.type = ANY(%(types)s::text[])
  AND (%(organization)s::bigint IS NULL OR ev.organization_id = %(organization)s::bigint)
ON CONFLICT (event_id, endpoint_id) DO UPDATE SET status = 'pending', attempts = 0, next_attempt_at = %(now)s
WHERE d.status <> 'sending'
RETURNING 1
"""


@transaction.atomic
def deliveries_replay_range(*, endpoint: Endpoint, since, until, by, now=None) -> int:
    """Send again every event of ``[since, until)`` the endpoint subscribes to (also those from before it existed
    or from while it was disabled); returns how many deliveries were queued."""
    now = now or timezone.now()
    _require(by, endpoint.organization)
    if until <= since:
        raise ValidationError({"until": _("The end must come after the start.")})
    params = {
        "endpoint": endpoint.pk,
        "now": now,
        "since": since,
        "until": until,
        "types": list(endpoint.event_types),
        "organization": endpoint.organization_id,
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_REPLAY_SQL, params)
            queued = cursor.rowcount
    else:
        found = Event.objects.filter(created_at__gte=since, created_at__lt=until, type__in=endpoint.event_types)
        if endpoint.organization_id:
            found = found.filter(organization_id=endpoint.organization_id)
        ids = list(found.values_list("pk", flat=True))
        Delivery.objects.bulk_create(
            [Delivery(event_id=pk, endpoint=endpoint, next_attempt_at=now, created_at=now) for pk in ids],
            ignore_conflicts=True,
        )
        queued = (
            Delivery.objects.filter(endpoint=endpoint, event_id__in=ids)
            .exclude(status=DeliveryStatus.SENDING)
            .update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now)
        )
    if queued:
        relay_kick_on_commit()
    return queued


def event_purge(*, now=None, batch: int = 5000) -> int:
    """Delete events (and their deliveries) older than ``WEBHOOKS_KEEP_DAYS``, a batch at a time."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.WEBHOOKS_KEEP_DAYS)
    ids = list(Event.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:batch])
    if not ids:
        return 0
    Event.objects.filter(pk__in=ids).delete()
    return len(ids)
