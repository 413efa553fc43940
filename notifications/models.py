"""The outbox (Notification), per-user preferences, and the reminders engine's due rows (Reminder).

Both Notification and Reminder follow the same pattern: the row is the truth, a periodic task only ticks,
and a partial index over what is still to do keeps each sweep's cost proportional to what is due.
"""

import hashlib

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import registry


class Category:
    """The categories notifications itself owns (registered in ``NotificationsConfig.ready()``). The apps that
    use notifications register theirs in their own ``ready()``; see ``registry.register_category``."""

    ACCOUNT = "account"
    DIGEST = "digest"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DIGEST = "digest", _("In a daily digest")
    OFF = "off", _("Off")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    IN_APP = "in_app", _("In the app")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    # Claimed by a relay; next_attempt_at is then the lease's end, after which another relay may take it.
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    # Waiting for the recipient's daily digest.
    HELD = "held", _("Held for digest")
    DIGESTED = "digested", _("Sent in a digest")
    FAILED = "failed", _("Failed")
    # Its reason went away before it was sent (a revoked invitation, say).
    CANCELLED = "cancelled", _("Cancelled")


RELAY_STATUSES = (Status.PENDING, Status.SENDING)


def dedupe_key_for(event: str, recipient_key: str, channel: str) -> str:
    return hashlib.sha256(f"{event}\x00{recipient_key}\x00{channel}".encode()).hexdigest()[:40]


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A person sees only their own in-app notifications."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(recipient=user, channel=Channel.IN_APP)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def relay_due(self, now):
        return self.filter(status__in=RELAY_STATUSES, next_attempt_at__lte=now)


class Notification(models.Model):
    """One message to one recipient on one channel: the outbox row.

    Written in the transaction of the event that causes it, so it exists exactly when the event does.
    ``dedupe_key`` is unique per (event, recipient, channel) and is the email's Message-ID, so an
    at-least-once resend is recognisable as the same message.
    """

    event = models.CharField(_("event"), max_length=200)
    dedupe_key = models.CharField(_("deduplication key"), max_length=40, unique=True, editable=False)
    category = models.CharField(_("category"), max_length=20, choices=registry.category_choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
        # No index of its own: the centre's index starts with the recipient and serves every lookup by recipient
        # (and a user's deletion). One on the recipient alone, with few distinct values, was a third of the time of
        # inserting a relay batch's outbox rows (measured: 80,000 rows, 659 ms with it, 444 ms without).
        db_index=False,
    )
    # The address at the time of writing; also the recipient of mail to people without an account.
    to_email = models.EmailField(_("to"), blank=True)
    template = models.CharField(_("template"), max_length=200)
    # For recipients without an account; a user's own language wins.
    language = models.CharField(_("language"), max_length=10, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    context = models.JSONField(_("context"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    url = models.CharField(_("link"), max_length=500, blank=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The relay's claim: only rows still to send, in due order.
            models.Index(
                fields=["next_attempt_at"],
                name="notification_relay_due",
                condition=Q(status__in=RELAY_STATUSES),
            ),
            # The notification centre and the unread badge.
            models.Index(
                fields=["recipient", "channel", "-created_at"],
                name="notification_centre",
            ),
            models.Index(
                fields=["recipient"],
                name="notification_unread",
                condition=Q(channel=Channel.IN_APP, read_at__isnull=True),
            ),
            models.Index(
                fields=["recipient"],
                name="notification_held",
                condition=Q(status=Status.HELD),
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to_email or self.recipient_id} ({self.get_channel_display()})"

    @property
    def message_id(self) -> str:
        return f"<{self.dedupe_key}@{settings.NOTIFICATIONS_MESSAGE_ID_DOMAIN}>"


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    category = models.CharField(_("category"), max_length=20, choices=registry.category_choices)
    delivery = models.CharField(
        _("delivery"),
        max_length=10,
        choices=Delivery.choices,
        default=Delivery.IMMEDIATE,
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "category"], name="notification_preference_unique")]

    def __str__(self):
        return f"{self.user}: {self.get_category_display()} {self.get_delivery_display()}"


class DigestSetting(models.Model):
    """When a user's daily digest goes out, as an hour of their own local day."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="digest_setting",
    )
    hour = models.PositiveSmallIntegerField(_("digest hour"), default=8, validators=[MaxValueValidator(23)])

    class Meta:
        verbose_name = _("digest setting")
        verbose_name_plural = _("digest settings")

    def __str__(self):
        return f"{self.user}: {self.hour:02d}:00"


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Reminder(models.Model):
    """A due time held in the database: the sweep fires it once (or once per repeat).

    ``key`` is unique, so scheduling the same reminder twice moves it rather than doubling it.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=100, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReminderStatus.choices,
        default=ReminderStatus.PENDING,
    )
    due_at = models.DateTimeField(_("due at"))
    repeat_every = models.DurationField(_("repeat every"), null=True, blank=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    payload = models.JSONField(_("payload"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    fired_count = models.PositiveIntegerField(_("times fired"), default=0)
    last_fired_at = models.DateTimeField(_("last fired at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [
            models.Index(
                fields=["due_at"],
                name="reminder_pending_due",
                condition=Q(status=ReminderStatus.PENDING),
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.key} @ {self.due_at:%Y-%m-%d %H:%M}"


class FanoutStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    EXPANDED = "expanded", _("Expanded")
    FAILED = "failed", _("Failed")


class NotificationFanout(models.Model):
    """Who must be told of what, written in the event's transaction and expanded into outbox rows later.

    A sweep that escalates thousands of red flags at once cannot afford to render a subject per reader language
    for each of them inside its transaction: ``notify_many(..., deferred=True)`` writes ONE of these per request
    instead (its event, template, context, target and recipient ids). The relay expands pending rows into
    ``Notification`` rows, rendering each subject in its reader's language then, and marks the row expanded in the
    same transaction, so a relay killed mid-expansion leaves it pending (to be expanded again) and the outbox's
    unique dedupe key makes a second expansion write nothing twice. ``event`` is unique: writing the same request
    twice (a racing sweep) is a no-op, as it is for ``Notification``.
    """

    event = models.CharField(_("event"), max_length=200, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=registry.category_choices)
    template = models.CharField(_("template"), max_length=200)
    language = models.CharField(_("language"), max_length=10, blank=True)
    context = models.JSONField(_("context"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    url = models.CharField(_("link"), max_length=500, blank=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    # User ids, and bare addresses (people without an account), as JSON lists: read only by the expansion.
    recipient_ids = models.JSONField(_("recipients"), default=list, blank=True)
    emails = models.JSONField(_("addresses"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list)
    force_immediate = models.BooleanField(default=False)
    status = models.CharField(_("status"), max_length=10, choices=FanoutStatus.choices, default=FanoutStatus.PENDING)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    expanded_at = models.DateTimeField(_("expanded at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification fan-out")
        verbose_name_plural = _("notification fan-outs")
        indexes = [
            # The relay's claim: only rows still to expand, in due order. A sweep writes thousands with the same
            # time, so the id is in the key too: the claim's ORDER BY ... LIMIT reads the index in order and stops
            # (on the time alone it sorted every pending row for each batch: 0.9 s a claim at 200,000 pending).
            models.Index(
                fields=["next_attempt_at", "id"],
                name="notification_fanout_due",
                condition=Q(status=FanoutStatus.PENDING),
            ),
        ]

    def __str__(self):
        return f"{self.event} ({self.get_status_display()})"
