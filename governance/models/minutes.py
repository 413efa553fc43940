"""Outcomes of agenda items (information, decisions, action items: ``ActionItem``, a proxy of the outcomes of that
kind) and the minutes shared with the client.

Shared minutes are fixed versions: ``MinutesVersion.content`` is the client-visible snapshot at publication; a
later edit is published as the next version, and the client sees what changed between the two.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.tracking import track
from engagements.models import Side
from engagements.policy import ScopedQuerySet


class OutcomeKind(models.TextChoices):
    INFORMATION = "information", _("Information")
    DECISION = "decision", _("Decision")
    ACTION = "action", _("Action item")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class OutcomeQuerySet(ScopedQuerySet):
    # The client reads an outcome once minutes including it were shared, unless it is vendor-internal.
    client_visible_filter = Q(is_internal=False, meeting__is_internal=False, published_at__isnull=False)

    def action_items(self):
        return self.filter(kind=OutcomeKind.ACTION)

    def open(self):
        return self.filter(kind=OutcomeKind.ACTION, status=ActionStatus.OPEN)

    def client_side(self):
        return self.filter(owner_side=Side.CLIENT)


@track(engagement="engagement")
class Outcome(models.Model):
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey("governance.Meeting", on_delete=models.CASCADE, related_name="outcomes")
    agenda_item = models.ForeignKey(
        "governance.AgendaItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="outcomes"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OutcomeKind.choices)
    text = models.TextField(_("text"))
    is_internal = models.BooleanField(_("vendor-internal"), default=False)
    # Action items only.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="governance_action_items",
        verbose_name=_("owner"),
    )
    owner_side = models.CharField(_("side"), max_length=10, choices=Side.choices, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # First shared with the client in published minutes.
    published_at = models.DateTimeField(_("shared at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = OutcomeQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="action", due_on__isnull=False, status__in=["open", "done", "dropped"])
                & ~Q(owner_side="")
                | (~Q(kind="action") & Q(status="", owner_side="")),
                name="outcome_action_fields",
                violation_error_message=_("An action item needs a side and a due date; other outcomes have none."),
            ),
        ]
        indexes = [
            models.Index(fields=["due_on"], name="outcome_open_action_due", condition=Q(kind="action", status="open")),
        ]

    def __str__(self):
        return self.text[:60]

    def clean(self):
        super().clean()
        if self.kind == OutcomeKind.ACTION and self.owner_id and self.owner_side:
            owner_is_client = self.owner.is_client_user
            if owner_is_client != (self.owner_side == Side.CLIENT):
                raise ValidationError({"owner": _("The owner must be on the side the action item belongs to.")})

    @property
    def is_action(self) -> bool:
        return self.kind == OutcomeKind.ACTION

    @property
    def is_open(self) -> bool:
        return self.is_action and self.status == ActionStatus.OPEN

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today


class ActionItemManager(models.Manager.from_queryset(OutcomeQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(kind=OutcomeKind.ACTION)


class ActionItem(Outcome):
    """An outcome of kind *action item* (owner, side, due date, status): what code that handles only action items
    reads and writes. The same rows and table as ``Outcome``; notifications and reminders about one name
    ``Outcome``'s content type, as they always did."""

    objects = ActionItemManager()

    class Meta:
        proxy = True
        verbose_name = _("action item")
        verbose_name_plural = _("action items")


class MinutesVersionQuerySet(ScopedQuerySet):
    engagement_path = "meeting__engagement"
    client_visible_filter = Q(meeting__is_internal=False)


@track(engagement="meeting__engagement")
class MinutesVersion(models.Model):
    meeting = models.ForeignKey("governance.Meeting", on_delete=models.CASCADE, related_name="minutes_versions")
    number = models.PositiveIntegerField(_("version"))
    # The client-visible minutes as shared: agenda, minutes per item, outcomes, attendance.
    content = models.JSONField(_("content"))
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("shared at"), default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = MinutesVersionQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "-number"]
        verbose_name = _("minutes version")
        verbose_name_plural = _("minutes versions")
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="minutes_version_unique")]

    def __str__(self):
        return f"{self.meeting} v{self.number}"


class MinutesAcknowledgementQuerySet(ScopedQuerySet):
    engagement_path = "version__meeting__engagement"


class MinutesAcknowledgement(models.Model):
    version = models.ForeignKey(MinutesVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("acknowledged at"), default=timezone.now)

    objects = MinutesAcknowledgementQuerySet.as_manager()

    class Meta:
        ordering = ["at"]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="minutes_ack_once")]

    def __str__(self):
        return f"{self.user} read {self.version}"


class MinutesCommentQuerySet(ScopedQuerySet):
    engagement_path = "meeting__engagement"
    client_visible_filter = Q(meeting__is_internal=False)


class MinutesComment(models.Model):
    """A comment on shared minutes (by the client's key user, or the team's answer); both sides read them."""

    meeting = models.ForeignKey("governance.Meeting", on_delete=models.CASCADE, related_name="minutes_comments")
    version = models.ForeignKey(MinutesVersion, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = MinutesCommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment on minutes")
        verbose_name_plural = _("comments on minutes")

    def __str__(self):
        return self.body[:50]
