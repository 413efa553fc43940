import base64
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import OrganizationKind
from audit.tracking import track

SECRET_PREFIX = "whsec_"


def secret_new() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64 (what ``standardwebhooks`` reads)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class EndpointQuerySet(models.QuerySet):
    def managed_by(self, user):
        """Endpoints ``user`` may see and change (``webhooks.permissions``)."""
        from . import permissions

        return self.filter(permissions.endpoint_filter(user))


@track(engagement=None, exclude=("secret", "previous_secret"))
class Endpoint(models.Model):
    """A URL another system listens on. ``organization`` empty: every client's events (organization-wide)."""

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        limit_choices_to={"kind": OrganizationKind.CLIENT},
        verbose_name=_("client"),
        help_text=_("Only this client's events; empty for every client's (organization-wide)."),
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("signing secret"), max_length=100, default=secret_new)
    # After a rotation the old secret stays valid until then: both signatures are sent meanwhile.
    previous_secret = models.CharField(_("previous signing secret"), max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(_("previous secret valid until"), null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    disabled_reason = models.CharField(_("why it was disabled"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.description or self.url

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("webhooks:endpoint", kwargs={"pk": self.pk})

    def signing_secrets(self, now) -> list[str]:
        """The secrets a delivery is signed with now: the current one, and the previous one in its grace period."""
        valid = [self.secret]
        if self.previous_secret and self.previous_secret_until and self.previous_secret_until > now:
            valid.append(self.previous_secret)
        return valid


class Event(models.Model):
    """Something that happened, written in the transaction that made it happen. Its id is the ``webhook-id`` of
    every delivery of it (the same on each retry and replay, so receivers can deduplicate)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(_("type"), max_length=60, db_index=True)
    # No foreign keys to the apps above: they emit into webhooks, webhooks does not know them.
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client"),
    )
    engagement_id = models.BigIntegerField(_("engagement"), null=True, blank=True)
    data = models.JSONField(_("data"), default=dict)
    # What makes an event happen once when a timer may fire it again (a reminder's repeat, a second sweep):
    # "item.overdue:42:2027-01-04". Empty for events that happen once by their nature (a decision).
    key = models.CharField(_("key"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("occurred at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        constraints = [models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="webhook_event_once")]

    def __str__(self):
        return f"{self.type} {self.message_id}"

    @property
    def message_id(self) -> str:
        return f"msg_{self.id.hex}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# What the relay still has to send (the partial index over next_attempt_at covers exactly these).
OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


class DeliveryQuerySet(models.QuerySet):
    def due(self, now):
        # A SENDING row whose lease has run out belongs to a relay that died: it is due again (at-least-once).
        return self.filter(status__in=OPEN_STATUSES, next_attempt_at__lte=now)


class Delivery(models.Model):
    """One event to one endpoint: the outbox row the relay claims, sends and retries, and the delivery log's line."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event"))
    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            # One delivery per (event, endpoint): a doubled fan-out is a no-op; a replay resets the row instead.
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_once"),
        ]
        indexes = [
            # The relay's claim: each endpoint's earliest due deliveries.
            models.Index(
                fields=["endpoint", "next_attempt_at"],
                name="webhook_delivery_due",
                condition=Q(status__in=["pending", "sending"]),
            ),
            # The endpoint page's log, newest first.
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint}"
