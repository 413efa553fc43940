"""Checklists: templates (configured in admin), the stages and items copied from them into an engagement, their
comments and history, the client's acceptance of stages and of the work plan, satisfaction questions and the
effort and money spent (actuals).

Every model that belongs to an engagement gets its access from ``engagements.policy.ScopedQuerySet``.
"""

import functools

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from audit.tracking import track
from engagements import translations
from engagements.models import Side
from engagements.policy import ScopedQuerySet

# --- Checklist templates (configured in admin) -------------------------------------------------


class Evidence(models.TextChoices):
    NONE = "none", _("None")
    LINK = "link", _("Link")
    FILE = "file", _("File")


class AssigneeRole(models.TextChoices):
    NONE = "", _("Nobody (assign later)")
    CSM = "csm", _("CSM")
    PM = "pm", _("PM")
    KEY_USER = "key_user", _("Client key user")


class ItemCompletion(models.TextChoices):
    """How an item gets done: by hand (ticked, or completed with evidence), or by a client decision it stands for
    (the "accept the work plan" task closes when the key user accepts the work plan, and opens again when they
    reject it)."""

    MANUAL = "", _("Marked done by hand")
    WORK_PLAN = "work_plan", _("When the client accepts the work plan")


class DueFrom(models.TextChoices):
    KICKOFF = "kickoff", _("Kickoff")
    CONTRACT = "contract", _("Contract signature")


class ChecklistTemplateQuerySet(models.QuerySet):
    def in_language(self, language: str) -> list:
        """One template per key: the one in ``language``, else English, else the first by language."""
        return translations.one_per_key(self.order_by("-is_default", "key", "language"), language)


@track(engagement=None)
class ChecklistTemplate(models.Model):
    """A checklist template in one language. Its translations are templates of their own sharing its ``key``: an
    admin edits one language's stages and items on one page, and an engagement gets the one in its client's
    language (``ClientProfile.language``), else the English one."""

    key = models.SlugField(
        _("key"),
        max_length=50,
        blank=True,
        help_text=_(
            "Shared by the translations of one template (e.g. standard-onboarding); the language tells them apart. "
            "Made from the name when left empty."
        ),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ChecklistTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["-is_default", "name", "language"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="checklist_template_key_language_unique"),
            models.UniqueConstraint(fields=["name", "language"], name="checklist_template_name_language_unique"),
            # The default is one template: each of its translations is the default in its language.
            models.UniqueConstraint(
                fields=["language"],
                condition=Q(is_default=True),
                name="one_default_template_per_language",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.language})"

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = slugify(self.name)[:50]
        super().save(*args, **kwargs)

    def in_language(self, language: str) -> "ChecklistTemplate":
        """This template's translation into ``language``, else its English one, else itself."""
        return ChecklistTemplate.objects.filter(key=self.key).in_language(language)[0] if self.key else self


@track(engagement=None)
class TemplateStage(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="stages")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    client_acceptance_required = models.BooleanField(_("client must accept"), default=False)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("template stage")
        verbose_name_plural = _("template stages")

    def __str__(self):
        return self.title


@track(engagement=None)
class TemplateItem(models.Model):
    stage = models.ForeignKey(TemplateStage, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("title"), max_length=300)
    guidance = models.TextField(_("guidance"), blank=True)
    owner_side = models.CharField(_("owner side"), max_length=10, choices=Side.choices, default=Side.VENDOR)
    default_assignee_role = models.CharField(
        _("default assignee"),
        max_length=20,
        choices=AssigneeRole.choices,
        blank=True,
        default=AssigneeRole.NONE,
    )
    due_offset_days = models.IntegerField(_("due (days after)"), default=7)
    duration_days = models.PositiveSmallIntegerField(_("duration (working days)"), default=1)
    due_from = models.CharField(
        _("counted from"),
        max_length=10,
        choices=DueFrom.choices,
        default=DueFrom.KICKOFF,
    )
    evidence_required = models.CharField(
        _("evidence required"),
        max_length=10,
        choices=Evidence.choices,
        default=Evidence.NONE,
    )
    closes_with = models.CharField(
        _("done"), max_length=20, choices=ItemCompletion.choices, blank=True, default=ItemCompletion.MANUAL
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("template item")
        verbose_name_plural = _("template items")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.default_assignee_role == AssigneeRole.KEY_USER and self.owner_side != Side.CLIENT:
            # Client people are assigned only the client's own items (``template_apply`` leaves such an item open).
            raise ValidationError(
                {"default_assignee_role": _("Only the client's own items can go to the client's key user.")}
            )


# --- Checklists of an engagement ---------------------------------------------------------------


@track(engagement="engagement")
class ChecklistStage(models.Model):
    """A stage copied from a template stage: later template edits never change it."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="stages")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    acceptance_required = models.BooleanField(_("client must accept"), default=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    # Set when the client rejects the stage, cleared when they accept it: the team sees the stage
    # reopened with the client's reason until then.
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_reason = models.TextField(_("reason the client gave"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("checklist stage")
        verbose_name_plural = _("checklist stages")

    def __str__(self):
        return self.title


class StageActualQuerySet(ScopedQuerySet):
    # Spending is vendor-internal (commercial): never shown to a client user.
    engagement_path = "stage__engagement"
    vendor_internal = True


class StageActual(models.Model):
    """One entry of effort and money spent on a stage; a stage's actuals (and the engagement's burn
    against its planned budget) are the sums of its entries."""

    stage = models.ForeignKey(ChecklistStage, on_delete=models.CASCADE, related_name="actuals")
    spent_on = models.DateField(_("date"))
    effort_days = models.DecimalField(_("effort (person-days)"), max_digits=9, decimal_places=1, default=0)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Empty only for the totals carried over from before entries existed.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = StageActualQuerySet.as_manager()

    class Meta:
        ordering = ["-spent_on", "-pk"]
        verbose_name = _("actuals entry")
        verbose_name_plural = _("actuals entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(effort_days__gte=0, amount__gte=0) & (Q(effort_days__gt=0) | Q(amount__gt=0)),
                name="stage_actual_positive",
                violation_error_message=_("Enter the effort or the amount spent (zero or more, not both zero)."),
            ),
        ]

    def __str__(self):
        return f"{self.stage}: {self.effort_days} d, {self.amount} on {self.spent_on}"


class ItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    BLOCKED = "blocked", _("Blocked")
    DONE = "done", _("Done")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


CLOSED_ITEM_STATUSES = (ItemStatus.DONE, ItemStatus.NOT_APPLICABLE)
# Statuses that take an item out of the plan instead of moving it along (closed without evidence, for the stage's
# acceptance and the go-live): set only by those who manage the engagement, like removing the item.
MANAGER_ONLY_STATUSES = frozenset({ItemStatus.NOT_APPLICABLE})


class ChecklistItemQuerySet(ScopedQuerySet):
    engagement_path = "stage__engagement"

    def open(self):
        return self.exclude(status__in=CLOSED_ITEM_STATUSES)

    def overdue(self, today):
        return self.open().filter(due_on__lt=today)

    def client_side(self):
        return self.filter(owner_side=Side.CLIENT)


@track(engagement="stage__engagement")
class ChecklistItem(models.Model):
    stage = models.ForeignKey(ChecklistStage, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("title"), max_length=300)
    guidance = models.TextField(_("guidance"), blank=True)
    owner_side = models.CharField(_("owner side"), max_length=10, choices=Side.choices, default=Side.VENDOR)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checklist_items",
        verbose_name=_("assignee"),
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    # Where a template-made due date counts from; cleared once someone sets the date by hand, so
    # that a later kickoff (or contract) date moves only the dates nobody chose.
    due_from = models.CharField(_("due date counts from"), max_length=10, choices=DueFrom.choices, blank=True)
    due_offset_days = models.IntegerField(_("due offset in days"), null=True, blank=True)
    # Working days the item takes (its planned start is that many working days before its due date, counting the
    # due date); the rescheduling moves both together.
    duration_days = models.PositiveSmallIntegerField(_("duration (working days)"), default=1)
    # Set when someone chooses the due date by hand: the rescheduling leaves it where it is and shows the
    # conflict when a predecessor ends later.
    due_pinned = models.BooleanField(_("date pinned"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    position = models.PositiveIntegerField(_("position"), default=0)
    evidence_required = models.CharField(
        _("evidence required"),
        max_length=10,
        choices=Evidence.choices,
        default=Evidence.NONE,
    )
    closes_with = models.CharField(
        _("done"), max_length=20, choices=ItemCompletion.choices, blank=True, default=ItemCompletion.MANUAL
    )
    evidence_link = models.URLField(_("evidence link"), max_length=500, blank=True)
    evidence_file = models.ForeignKey(
        "attachments.Attachment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evidence file"),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ChecklistItemQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        indexes = [
            # Reminders and dashboards look for open items by due date.
            models.Index(
                fields=["due_on"],
                name="checklist_item_open_due",
                condition=~Q(status__in=["done", "not_applicable"]),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_closed(self):
        return self.status in CLOSED_ITEM_STATUSES

    def is_overdue(self, today):
        return not self.is_closed and self.due_on is not None and self.due_on < today


class ItemCommentQuerySet(ScopedQuerySet):
    engagement_path = "item__stage__engagement"
    # Internal comments stay among vendor staff; the client sees the others on their items.
    client_visible_filter = Q(is_internal=False)


class ItemComment(models.Model):
    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    # Internal comments stay among vendor staff; the client sees the others on their items.
    is_internal = models.BooleanField(_("internal (vendor only)"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ItemCommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self):
        return self.body[:50]


ITEM_EVENT_LABELS = {
    "created": _("created"),
    "updated": _("changed"),
    "completed": _("completed"),
    "reopened": _("reopened"),
    "commented": _("commented"),
    "rescheduled": _("rescheduled"),
}


class ItemEvent(models.Model):
    """History of an item: who changed what, when (``changes`` maps field -> [old, new])."""

    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(_("action"), max_length=30)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("item event")
        verbose_name_plural = _("item events")

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self):
        return ITEM_EVENT_LABELS.get(self.action, self.action)

    @property
    def change_lines(self):
        """(field, "old → new") pairs, or (field, value) for a value recorded alone, in the reader's language:
        field names and choice values are stored as codes and labelled here."""
        lines = []
        for name, change in self.changes.items():
            label, shown = self._field_label(name), functools.partial(self._value_label, name)
            if isinstance(change, list) and len(change) == 2:
                lines.append((label, f"{shown(change[0])} → {shown(change[1])}"))
            else:
                lines.append((label, shown(change)))
        return lines

    @staticmethod
    def _field_label(name):
        if name == "template":
            return _("checklist template")
        if name == "cause":
            return _("because")
        if name == "waits_for":
            return _("waits for")
        try:
            return ChecklistItem._meta.get_field(name).verbose_name
        except FieldDoesNotExist:
            return name

    @staticmethod
    def _value_label(name, value):
        if value is None or value == "":
            return "—"
        if name == "cause" and isinstance(value, dict):
            return cause_text(value)
        try:
            field = ChecklistItem._meta.get_field(name)
        except FieldDoesNotExist:
            return value
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if (
            isinstance(field, models.DateField)
            and not isinstance(field, models.DateTimeField)
            and isinstance(value, str)
        ):
            parsed = parse_date(value)
            return date_format(parsed, "SHORT_DATE_FORMAT") if parsed else value
        return value


PLAN_CAUSES = {
    "moved": _("“%(item)s” was moved"),
    "late": _("an item it waits for is late"),
    "finished": _("“%(item)s” was finished"),
    "reopened": _("“%(item)s” was reopened"),
    "linked": _("it now waits for “%(item)s”"),
    "unlinked": _("it no longer waits for “%(item)s”"),
    "applied": _("the checklist template “%(item)s” was applied"),
    "anchors": _("the kickoff or contract date moved"),
    "pinned": _("the date of “%(item)s” was left to the plan"),
}


def cause_text(cause: dict) -> str:
    """Why the plan moved an item, in the reader's language (stored as a code and the item's title)."""
    text = PLAN_CAUSES.get(cause.get("kind", ""))
    return str(text) % {"item": cause.get("item", "")} if text else ""


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


@track(engagement="engagement")
class StageAcceptance(models.Model):
    """A key user's decision on a stage, or on the whole work plan when ``stage`` is empty.

    ``snapshot`` is the exact version decided on; an accepted work plan is the baseline later
    changes are listed against.
    """

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="acceptances")
    stage = models.ForeignKey(
        ChecklistStage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="acceptances",
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    snapshot = models.JSONField(_("version decided on"), default=dict)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="accepted") | ~Q(reason=""),
                name="rejection_needs_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_decision_display()} {self.stage or 'work plan'}"

    @property
    def is_work_plan(self):
        return self.stage_id is None


class SatisfactionReason(models.TextChoices):
    ACCEPTANCE = "acceptance", _("After an acceptance")
    DAY_30 = "day30", _("30 days after kickoff")


class SatisfactionScoreQuerySet(ScopedQuerySet):
    def pending(self):
        return self.filter(score__isnull=True)


class SatisfactionScore(models.Model):
    """A one-click satisfaction question to the client: asked (score empty), then answered."""

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="satisfaction_scores"
    )
    reason = models.CharField(_("asked"), max_length=20, choices=SatisfactionReason.choices)
    acceptance = models.OneToOneField(
        StageAcceptance,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="satisfaction",
    )
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = SatisfactionScoreQuerySet.as_manager()

    class Meta:
        ordering = ["-asked_at", "-pk"]
        verbose_name = _("satisfaction score")
        verbose_name_plural = _("satisfaction scores")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="satisfaction_score_1_to_5",
            ),
            models.UniqueConstraint(
                fields=["engagement"],
                condition=Q(reason="day30"),
                name="satisfaction_day30_once",
            ),
        ]

    def __str__(self):
        return f"{self.engagement}: {self.score or '?'}"


# The plan between items lives in a module of its own (this one would pass 600 lines).
from .plan import DependencyKind, ItemDependency, PlanForecast, TemplateItemDependency  # noqa: E402, F401
