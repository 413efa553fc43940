"""Red flags: every client complaint, its timers (absolute UTC deadlines in columns), its timeline, the
escalations it went through, the pauses the client asked for, its followers and its crisis action plan."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.tracking import track
from engagements.policy import ScopedQuerySet

from .paths import EscalationPath, Severity


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    WAITING = "waiting", _("Waiting on the client")
    PLAN_AGREED = "plan_agreed", _("Action plan agreed")
    RESOLVED = "resolved", _("Resolved")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    DUPLICATE = "duplicate", _("Duplicate")


# Flags the sweep may still have to look at (a resolved flag closes itself after a while).
LIVE_STATUSES = (
    FlagStatus.OPEN,
    FlagStatus.ACKNOWLEDGED,
    FlagStatus.WAITING,
    FlagStatus.PLAN_AGREED,
    FlagStatus.RESOLVED,
    FlagStatus.REOPENED,
)
# Flags the vendor is still working on.
OPEN_STATUSES = (
    FlagStatus.OPEN,
    FlagStatus.ACKNOWLEDGED,
    FlagStatus.WAITING,
    FlagStatus.PLAN_AGREED,
    FlagStatus.REOPENED,
)
FINAL_STATUSES = (FlagStatus.CLOSED, FlagStatus.DUPLICATE)
# Flags whose clock runs: the vendor works on them and nothing waits on the client.
RUNNING_STATUSES = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED, FlagStatus.PLAN_AGREED, FlagStatus.REOPENED)

# Every timer of a flag: the next deadline is the earliest of them (``RedFlag.next_due_at``).
TIMER_FIELDS = (
    "ack_warn_at",
    "ack_due_at",
    "resolve_warn_at",
    "resolve_due_at",
    "update_warn_at",
    "update_due_at",
    "renotify_at",
    "auto_close_at",
)


class FlagCategory(models.TextChoices):
    QUALITY = "quality", _("Quality of the work")
    DELAY = "delay", _("Delays")
    COMMUNICATION = "communication", _("Communication")
    PEOPLE = "people", _("Team and people")
    BILLING = "billing", _("Billing")
    SECURITY = "security", _("Security or data")
    OTHER = "other", _("Something else")


class RedFlagQuerySet(ScopedQuerySet):
    def live(self):
        return self.filter(status__in=LIVE_STATUSES)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def due(self, now):
        # Written so that the planner uses the partial index ``red_flag_due`` (same condition).
        return self.filter(status__in=LIVE_STATUSES, next_due_at__lte=now)

    def more_due_than(self, count: int, now) -> bool:
        # Reads at most count + 1 entries of ``red_flag_due``, whatever the backlog.
        return self.due(now).order_by("next_due_at")[count : count + 1].exists()


@track(engagement="engagement")
class RedFlag(models.Model):
    # No index of its own: ``red_flag_engagement_status`` starts with it (every index is written on each sweep).
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="red_flags", db_index=False
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"))
    category = models.CharField(_("category"), max_length=20, choices=FlagCategory.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    status = models.CharField(_("status"), max_length=20, choices=FlagStatus.choices, default=FlagStatus.OPEN)

    # Indexes here are chosen by the queries that need them (``Meta.indexes``): the sweep's update of a flag is never
    # HOT (its next deadline and owner change), so every index holding the flag is written again on each escalation.
    # No page looks flags up by who raised or reported them or by path: those foreign keys have no index.
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("raised by"),
        db_index=False,
    )
    # The client person who complained: the one who raised it in the portal, or whom staff raised it for.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
        db_index=False,
    )
    reporter_name = models.CharField(_("reported by (name)"), max_length=150, blank=True)
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)

    # Where it stands on its path. ``cycle`` counts reopenings: each (cycle, level) is entered at most once.
    path = models.ForeignKey(
        EscalationPath, on_delete=models.PROTECT, related_name="+", verbose_name=_("path"), db_index=False
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="red_flags_owned",
        verbose_name=_("owner"),
        db_index=False,  # ``red_flag_owner_live``
    )
    level_entered_at = models.DateTimeField(_("level entered at"), default=timezone.now)
    level_acknowledged_at = models.DateTimeField(_("acknowledged at this level"), null=True, blank=True)
    renotify_count = models.PositiveSmallIntegerField(_("re-notifications at the last level"), default=0)

    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    last_update_at = models.DateTimeField(_("last client update at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("waiting on the client since"), null=True, blank=True)
    status_before_pause = models.CharField(max_length=20, choices=FlagStatus.choices, blank=True, editable=False)
    # Business time left on each running timer when the clock paused ({field: seconds}); restored on resume.
    paused_remaining = models.JSONField(default=dict, blank=True, editable=False)
    paused_total = models.DurationField(_("time paused at the client's request"), default=timedelta)
    plan_agreed_at = models.DateTimeField(_("action plan agreed at"), null=True, blank=True)
    plan_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
        db_index=False,
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
        db_index=False,
    )

    # The SLA targets in force when it was raised (the contract's, else the path's first level) and the month it
    # counts in (the first day of the raise month, on the engagement's calendar).
    response_target = models.DurationField(_("response target"))
    resolution_target = models.DurationField(_("resolution target"))
    sla_month = models.DateField(_("month"))

    # Timers: absolute UTC instants, empty when not running. ``next_due_at`` is the earliest, recomputed with them.
    ack_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    ack_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    resolve_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolve_due_at = models.DateTimeField(_("resolve by"), null=True, blank=True)
    update_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    update_due_at = models.DateTimeField(_("next client update by"), null=True, blank=True)
    renotify_at = models.DateTimeField(null=True, blank=True, editable=False)
    auto_close_at = models.DateTimeField(_("closes itself at"), null=True, blank=True)
    next_due_at = models.DateTimeField(_("next deadline"), null=True, blank=True, editable=False)
    # A flag the sweep failed on backs off instead of blocking the others.
    sweep_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    sweep_error = models.TextField(blank=True, editable=False)

    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = RedFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("red flag")
        verbose_name_plural = _("red flags")
        indexes = [
            # The sweep's claim: only flags still live, by their next deadline.
            models.Index(fields=["next_due_at"], name="red_flag_due", condition=Q(status__in=LIVE_STATUSES)),
            models.Index(fields=["engagement", "status"], name="red_flag_engagement_status"),
            models.Index(fields=["sla_month", "severity"], name="red_flag_sla_month"),
            # "Mine" on the flag list (open flags by default). Only live flags: the closed ones cost nothing.
            models.Index(fields=["owner"], name="red_flag_owner_live", condition=Q(status__in=LIVE_STATUSES)),
            # The flag page's merged duplicates, and a user's deletion: only the rows that name someone, which a
            # live flag's sweep update mostly does not write.
            models.Index(
                fields=["duplicate_of"], name="red_flag_duplicate_of", condition=Q(duplicate_of__isnull=False)
            ),
            models.Index(
                fields=["plan_agreed_by"], name="red_flag_plan_agreed_by", condition=Q(plan_agreed_by__isnull=False)
            ),
            models.Index(
                fields=["confirmed_by"], name="red_flag_confirmed_by", condition=Q(confirmed_by__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, cycle__gte=1), name="red_flag_level_cycle_positive"),
            models.CheckConstraint(
                condition=~Q(status=FlagStatus.DUPLICATE) | Q(duplicate_of__isnull=False),
                name="red_flag_duplicate_names_original",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("escalations:flag", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def timers(self) -> dict:
        return {name: getattr(self, name) for name in TIMER_FIELDS}

    def refresh_next_due(self) -> None:
        due = [value for value in self.timers().values() if value is not None]
        self.next_due_at = min(due) if due else None


def next_due_sql(table: str, new: dict[str, str]) -> str:
    """``RedFlag.refresh_next_due`` in SQL, for set-based writers: the earliest of ``TIMER_FIELDS``, each the SQL
    expression in ``new`` (a value being written) or else ``table``'s column. ``LEAST`` skips NULLs and is NULL
    when all are, as ``refresh_next_due`` is ``None``."""
    return "LEAST(" + ", ".join(new.get(name, f"{table}.{name}") for name in TIMER_FIELDS) + ")"


class FlagChildQuerySet(ScopedQuerySet):
    engagement_path = "flag__engagement"


class EventKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    PAUSED = "paused", _("Waiting on you")
    RESUMED = "resumed", _("Clock running again")
    # A noun on the timeline ("Aktualizacja"), not the button's verb.
    UPDATE = "update", pgettext_lazy("timeline event", "Update")
    CLIENT_REPLY = "client_reply", _("Reply from the client")
    NOTE = "note", _("Internal note")
    ESCALATED = "escalated", _("Escalated")
    RENOTIFIED = "renotified", _("Reminder to the last level")
    DEADLINE_MISSED = "deadline_missed", _("Deadline missed")
    WARNING = "warning", _("Breach warning")
    QUIET = "quiet", _("Reminder: the client needs an update")
    STEP_ADDED = "step_added", _("Action plan step added")
    STEP_CHANGED = "step_changed", _("Action plan step updated")
    PLAN_AGREED = "plan_agreed", _("Action plan agreed")
    RESOLVED = "resolved", _("Resolved")
    CONFIRMED = "confirmed", _("Resolution confirmed")
    AUTO_CLOSED = "auto_closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    DUPLICATE = "duplicate", _("Marked as a duplicate")
    MERGED = "merged", _("Duplicate report joined")
    UNMARKED = "unmarked", _("No longer a duplicate")
    UNMERGED = "unmerged", _("Duplicate report taken back out")


# Reminders among the team are not changes of the flag: the client's timeline leaves them out, like notes.
INTERNAL_KINDS = (EventKind.NOTE, EventKind.WARNING, EventKind.QUIET)


class FlagEventQuerySet(FlagChildQuerySet):
    client_visible_filter = Q(is_internal=False)


@track(engagement="flag__engagement")
class FlagEvent(models.Model):
    """One line of a flag's timeline. The client sees every line but internal ones (notes, team reminders)."""

    flag = models.ForeignKey(RedFlag, on_delete=models.CASCADE, related_name="events", db_index=False)  # timeline index
    kind = models.CharField(_("what"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    body = models.TextField(_("text"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    cycle = models.PositiveSmallIntegerField(default=1)
    level = models.PositiveSmallIntegerField(default=1)
    is_internal = models.BooleanField(_("internal (vendor only)"), default=False)
    # For events the sweep writes: unique (``flag_event_once``), so a second sweep's copy is a no-op.
    once_key = models.CharField(max_length=120, null=True, blank=True, editable=False)

    objects = FlagEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes = [
            models.Index(fields=["flag", "at"], name="flag_event_timeline"),
            # A user's deletion; the sweep's lines have no actor and are not in it.
            models.Index(fields=["actor"], name="flag_event_actor", condition=Q(actor__isnull=False)),
        ]
        constraints = [
            # A constraint, not ``unique=True``: that also builds a ``LIKE`` index nobody uses. Only lines that
            # have a key (the sweep's; ``ON CONFLICT DO NOTHING`` skips a second copy).
            models.UniqueConstraint(fields=["once_key"], name="flag_event_once", condition=Q(once_key__isnull=False)),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    @property
    def is_alarm(self) -> bool:
        """An escalation, a reminder to the last level or a missed deadline: the timeline draws it in red."""
        return self.kind in {EventKind.ESCALATED, EventKind.RENOTIFIED, EventKind.DEADLINE_MISSED}


class EscalationReason(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("not acknowledged in time")
    RESOLVE = "resolve", _("not resolved in time")
    QUIET = "quiet", _("no update to the client in time")
    MANUAL = "manual", _("escalated by hand")
    RENOTIFY = "renotify", _("still not acknowledged at the last level")


class EscalationQuerySet(FlagChildQuerySet):
    pass


@track(engagement="flag__engagement")
class Escalation(models.Model):
    """A flag entering a level (``round`` 0), or a re-notification at the last level (``round`` 1..N).

    Unique per (flag, cycle, level, round): a racing second sweep, a doubled tick or a retried task cannot make
    the same escalation twice."""

    flag = models.ForeignKey(RedFlag, on_delete=models.CASCADE, related_name="escalations", db_index=False)  # once
    cycle = models.PositiveSmallIntegerField()
    level = models.PositiveSmallIntegerField(_("level"))
    round = models.PositiveSmallIntegerField(default=0)
    reason = models.CharField(_("reason"), max_length=20, choices=EscalationReason.choices)
    due_at = models.DateTimeField(_("deadline missed"), null=True, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    # Looked up only when a user is deleted: ``by`` is indexed where it names someone (never the sweep's), the owner
    # (every escalation's) not at all.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    # The group notice that told of this escalation (its fan-out events are this and a side suffix), when the sweep
    # escalated too many flags of one engagement and level at once to send a notice per flag; empty: its own notice.
    notice_event = models.CharField(max_length=200, null=True, blank=True, editable=False)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(fields=["flag", "cycle", "level", "round"], name="escalation_once"),
        ]
        indexes = [models.Index(fields=["by"], name="escalation_by", condition=Q(by__isnull=False))]

    def __str__(self):
        return f"{self.flag_id} → {self.level} ({self.get_reason_display()})"


class FlagPause(models.Model):
    """The clock stopped while the vendor waits on the client; ``reason`` is what the client is asked for."""

    flag = models.ForeignKey(RedFlag, on_delete=models.CASCADE, related_name="pauses")
    reason = models.TextField(_("what the client is asked for"))
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("to"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = FlagChildQuerySet.as_manager()

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        constraints = [
            # One pause at a time.
            models.UniqueConstraint(fields=["flag"], condition=Q(ended_at__isnull=True), name="flag_one_open_pause"),
        ]

    def __str__(self):
        return f"{self.flag_id}: {self.started_at:%Y-%m-%d %H:%M}"


class FlagFollower(models.Model):
    """A client person told about every change: the reporter, and the reporters of flags merged into it."""

    flag = models.ForeignKey(RedFlag, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(default=timezone.now)

    objects = FlagChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [models.UniqueConstraint(fields=["flag", "user"], name="flag_follower_once")]

    def __str__(self):
        return f"{self.user_id} follows {self.flag_id}"


class FlagAttachmentQuerySet(FlagChildQuerySet):
    # A file belongs to the timeline line it came with (the complaint, an update, a note, a reply) and is internal
    # when that line is. A file with no line is never shown to the client: the inner join leaves it out.
    client_visible_filter = Q(event__is_internal=False)


class FlagAttachment(models.Model):
    flag = models.ForeignKey(RedFlag, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        FlagEvent,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("timeline entry"),
    )
    attachment = models.ForeignKey("attachments.Attachment", on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    objects = FlagAttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return str(self.attachment_id)


class StepSide(models.TextChoices):
    VENDOR = "vendor", _("Vendor")
    CLIENT = "client", _("Client")


class StepStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class ActionStepQuerySet(FlagChildQuerySet):
    def client_side(self):
        return self.filter(owner_side=StepSide.CLIENT)

    def open(self):
        return self.filter(status__in=[StepStatus.OPEN, StepStatus.IN_PROGRESS])


class ActionStep(models.Model):
    """A step of a flag's crisis action plan. Client-side steps are among the client's tasks."""

    flag = models.ForeignKey(RedFlag, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("step"), max_length=300)
    owner_side = models.CharField(_("owner side"), max_length=10, choices=StepSide.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_steps", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due date"))
    risk = models.TextField(_("risk if it is not done"))
    status = models.CharField(_("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.OPEN)
    status_note = models.CharField(_("latest status"), max_length=500, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ActionStepQuerySet.as_manager()

    class Meta:
        ordering = ["position", "due_on", "pk"]
        verbose_name = _("action plan step")
        verbose_name_plural = _("action plan steps")

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (StepStatus.OPEN, StepStatus.IN_PROGRESS)
