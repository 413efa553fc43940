"""Escalation paths (ordered levels with per-severity deadlines), their client-facing texts in every language, and
what each engagement counts in: its path, its calendar or around the clock, its contract's own targets."""

from datetime import timedelta

from django.conf import global_settings, settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.tracking import track
from engagements.policy import ScopedQuerySet


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    # A context of its own: a severity is feminine in Polish ("Wysoka"), a stakeholder's influence is not.
    HIGH = "high", pgettext_lazy("severity", "High")
    NORMAL = "normal", _("Normal")


SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.NORMAL: 2}


class LevelRole(models.TextChoices):
    """Who a level (or its entry message) means, resolved per engagement when a flag reaches the level."""

    PM = "pm", _("Project manager (the deputy while the PM is away)")
    CSM = "csm", _("Customer success manager")
    DIRECTOR = "director", _("Delivery directors")
    EXECUTIVE = "executive", _("Executives (CTO, COO)")
    PERSON = "person", _("A named person")


def _positive(value):
    if value is not None and value <= timedelta(0):
        raise ValidationError(_("Enter a duration longer than zero."))


@track(engagement=None)
class EscalationPath(models.Model):
    """Ordered levels a red flag climbs when a deadline passes. Deadlines are business time in the engagement's
    calendar (or around the clock for a 24/7 engagement)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    is_default = models.BooleanField(_("default"), default=False, help_text=_("Used by engagements that name none."))
    breach_warning_percent = models.PositiveSmallIntegerField(
        _("breach warning at (percent of each deadline)"),
        default=80,
        help_text=_("The current level is warned when this share of a deadline has passed."),
    )
    renotify_every = models.DurationField(
        _("re-notify the last level every"), default=timedelta(hours=1), validators=[_positive]
    )
    renotify_max = models.PositiveSmallIntegerField(_("re-notify at most (times)"), default=3)
    update_every_critical = models.DurationField(
        _("client update at least every (critical)"), default=timedelta(hours=4), validators=[_positive]
    )
    update_every_high = models.DurationField(
        _("client update at least every (high)"), default=timedelta(hours=8), validators=[_positive]
    )
    update_every_normal = models.DurationField(
        _("client update at least every (normal)"), default=timedelta(hours=24), validators=[_positive]
    )
    auto_close_days = models.PositiveSmallIntegerField(
        _("close a resolved flag after (days)"),
        default=5,
        help_text=_("Unless the client confirms or reopens it first (calendar days)."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("escalation path")
        verbose_name_plural = _("escalation paths")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_path"),
            models.CheckConstraint(
                condition=Q(breach_warning_percent__gte=1, breach_warning_percent__lte=99),
                name="path_breach_warning_share",
                violation_error_message=_("The breach warning comes at 1 to 99 percent of a deadline."),
            ),
        ]

    def __str__(self):
        return self.name

    def update_every(self, severity: str) -> timedelta:
        return getattr(self, f"update_every_{severity}")

    @property
    def warning_share(self) -> float:
        return self.breach_warning_percent / 100


@track(engagement=None)
class EscalationLevel(models.Model):
    path = models.ForeignKey(EscalationPath, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField(_("level"), help_text=_("1 is where every flag starts."))
    name = models.CharField(_("name"), max_length=120)
    responsible = models.CharField(_("responsible"), max_length=20, choices=LevelRole.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("named person"),
        limit_choices_to={"organization__kind": "vendor"},
    )
    notify_roles = models.JSONField(
        _("also told on entry (roles)"), default=list, blank=True, help_text=_("Roles told when a flag enters.")
    )
    notify_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("also told on entry (people)"),
        limit_choices_to={"organization__kind": "vendor"},
    )

    class Meta:
        ordering = ["path", "position"]
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")
        constraints = [
            models.UniqueConstraint(fields=["path", "position"], name="escalation_level_position_unique"),
            models.CheckConstraint(condition=Q(position__gte=1), name="escalation_level_position_positive"),
            models.CheckConstraint(
                condition=~Q(responsible=LevelRole.PERSON) | Q(person__isnull=False),
                name="escalation_level_person_named",
                violation_error_message=_("Name the person responsible at this level."),
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.name}"

    def clean(self):
        super().clean()
        unknown = [role for role in self.notify_roles or [] if role not in LevelRole.values or role == LevelRole.PERSON]
        if not isinstance(self.notify_roles, list) or unknown:
            raise ValidationError({"notify_roles": _("Choose roles from the list.")})


class LevelTarget(models.Model):
    """A level's deadlines for one severity, in business time from the moment a flag enters the level."""

    level = models.ForeignKey(EscalationLevel, on_delete=models.CASCADE, related_name="targets")
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    acknowledge_within = models.DurationField(_("acknowledge within"), validators=[_positive])
    resolve_within = models.DurationField(_("resolve within"), validators=[_positive])

    class Meta:
        ordering = ["level", "severity"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(fields=["level", "severity"], name="level_target_once_per_severity"),
            models.CheckConstraint(
                condition=Q(acknowledge_within__gt=timedelta(0), resolve_within__gte=F("acknowledge_within")),
                name="level_target_positive",
                violation_error_message=_("Deadlines are longer than zero, and resolving takes at least as long."),
            ),
        ]

    def __str__(self):
        return f"{self.level} · {self.get_severity_display()}"


def _known_language(value):
    if value not in dict(global_settings.LANGUAGES):
        raise ValidationError(_("Enter a language code such as en, de or pl."))


class PathText(models.Model):
    """What the client reads about a path (its introduction, with ``level`` empty) or one of its levels, in one
    language. A language is added as rows, not code: the portal shows the reader's language, else English."""

    path = models.ForeignKey(EscalationPath, on_delete=models.CASCADE, related_name="texts")
    level = models.ForeignKey(EscalationLevel, on_delete=models.CASCADE, null=True, blank=True, related_name="texts")
    language = models.CharField(_("language"), max_length=10, validators=[_known_language])
    text = models.TextField(_("text the client reads"))

    class Meta:
        ordering = ["path", "level__position", "language"]
        verbose_name = _("client-facing text")
        verbose_name_plural = _("client-facing texts")
        constraints = [
            models.UniqueConstraint(
                fields=["path", "language"], condition=Q(level__isnull=True), name="path_text_intro_per_language"
            ),
            models.UniqueConstraint(
                fields=["level", "language"], condition=Q(level__isnull=False), name="path_text_level_per_language"
            ),
        ]

    def __str__(self):
        return f"{self.path} · {self.level or '—'} · {self.language}"

    def clean(self):
        super().clean()
        if self.level_id and self.path_id and self.level.path_id != self.path_id:
            raise ValidationError({"level": _("Choose a level of this path.")})


class EngagementCoverageQuerySet(ScopedQuerySet):
    pass


class EngagementCoverage(models.Model):
    """How an engagement's red flags are timed. Without a row: the default path and the default calendar."""

    engagement = models.OneToOneField(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="escalation_coverage"
    )
    path = models.ForeignKey(
        EscalationPath, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("escalation path")
    )
    calendar = models.ForeignKey(
        "escalations.BusinessCalendar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("business calendar"),
        help_text=_("Business hours; for a 24/7 engagement they decide when the person on duty is called first."),
    )
    around_the_clock = models.BooleanField(
        _("24/7 support"), default=False, help_text=_("Deadlines count every hour of every day.")
    )
    rota = models.ForeignKey(
        "escalations.OnCallRota",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("on-call rota"),
        help_text=_("Outside business hours a critical flag goes to the person on duty first."),
    )

    objects = EngagementCoverageQuerySet.as_manager()

    class Meta:
        verbose_name = _("escalation coverage")
        verbose_name_plural = _("escalation coverage")

    def __str__(self):
        return str(self.engagement)


class ContractTarget(models.Model):
    """The engagement's contract overrides the first level's deadlines for a severity while it is valid: they are
    then the flag's response and resolution targets for the SLA figures too."""

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="contract_targets")
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    acknowledge_within = models.DurationField(_("respond within"), validators=[_positive])
    resolve_within = models.DurationField(_("resolve within"), validators=[_positive])
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("contract reference"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["engagement", "severity", "-valid_from"]
        verbose_name = _("contract target")
        verbose_name_plural = _("contract targets")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="contract_target_valid_range",
                violation_error_message=_("A contract target cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(acknowledge_within__gt=timedelta(0), resolve_within__gte=F("acknowledge_within")),
                name="contract_target_positive",
                violation_error_message=_("Targets are longer than zero, and resolving takes at least as long."),
            ),
        ]

    def __str__(self):
        return f"{self.engagement} · {self.get_severity_display()} · {self.valid_from}"

    def clean(self):
        super().clean()
        if not self.engagement_id or not self.valid_from or not self.severity:
            return
        overlapping = ContractTarget.objects.filter(engagement_id=self.engagement_id, severity=self.severity).exclude(
            pk=self.pk
        )
        if self.valid_until:
            overlapping = overlapping.filter(valid_from__lte=self.valid_until)
        overlapping = overlapping.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=self.valid_from))
        if overlapping.exists():
            raise ValidationError(_("Another target for this severity is valid in the same period."))
