"""Cadence templates: the vendor's meeting rhythms with their agendas, configured in Django admin.

A cadence is content in one language: the translations of one cadence share its ``key`` and differ in
``language``. An engagement applies the row in its plan's language (falling back to English, then to any), so a
new language is a matter of adding rows (data), never code. The default cadences ship as data in migration 0002.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from engagements import translations

from .. import agenda, recurrence


class Frequency(models.TextChoices):
    WEEKLY = recurrence.WEEKLY, _("Every N weeks")
    MONTHLY = recurrence.MONTHLY, _("Every N months, on a weekday of the month")
    YEARLY = recurrence.YEARLY, _("Every N years, on a weekday of the month")
    ONCE = recurrence.ONCE, _("Once")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WeekOfMonth(models.IntegerChoices):
    FIRST = 1, _("first")
    SECOND = 2, _("second")
    THIRD = 3, _("third")
    FOURTH = 4, _("fourth")
    LAST = recurrence.LAST, _("last")


class CadenceKind(models.TextChoices):
    RECURRING = "recurring", _("Recurring meeting")
    # One-off meetings tied to a date of the engagement.
    HANDOFF = "handoff", _("Internal handoff meeting (on the handoff's meeting date)")
    KICKOFF = "kickoff", _("Kickoff with the client (on the kickoff date)")


class VendorAudience(models.TextChoices):
    CSM = "csm", _("Customer success manager")
    PM = "pm", _("Project manager")
    DEPUTY_PM = "deputy_pm", _("Deputy project manager")
    TEAM = "team", _("Team members")
    ACCOUNT_EXECUTIVE = "account_executive", _("Account executive (sales)")
    DIRECTOR = "director", _("Delivery directors")
    EXECUTIVE = "executive", _("Executives (CTO, COO)")


class ClientAudience(models.TextChoices):
    KEY_USER = "key_user", _("Key user")
    EXECUTIVE_SPONSOR = "executive_sponsor", _("Executive sponsor")
    DECISION_MAKERS = "decision_makers", _("Stakeholders of high influence (directors)")
    STAKEHOLDERS = "stakeholders", _("Everyone on the stakeholder map")


def _check_audience(value, choices, field, errors):
    if not isinstance(value, list) or any(entry not in choices.values for entry in value):
        errors[field] = _("Choose from: %(choices)s.") % {"choices": ", ".join(choices.values)}


class CadenceTemplateQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_language(self, language: str):
        """One row per cadence key: the one in ``language``, else English, else the first by language."""
        rows = translations.one_per_key(self.order_by("position", "key", "language"), language)
        return sorted(rows, key=lambda row: (row.position, row.key))


class CadenceTemplate(models.Model):
    key = models.SlugField(
        _("key"),
        max_length=50,
        help_text=_("Shared by the translations of one cadence (e.g. weekly-status); the language tells them apart."),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    name = models.CharField(_("name"), max_length=150)
    purpose = models.TextField(_("purpose"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CadenceKind.choices, default=CadenceKind.RECURRING)
    frequency = models.CharField(_("recurrence"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    interval = models.PositiveSmallIntegerField(_("every N"), default=1, help_text=_("1 = every week/month/year."))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, default=Weekday.TUESDAY)
    week_of_month = models.SmallIntegerField(
        _("week of the month"),
        choices=WeekOfMonth.choices,
        null=True,
        blank=True,
        help_text=_("Monthly and yearly: e.g. the second Tuesday."),
    )
    start_time = models.TimeField(_("time"), default="10:00")
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    vendor_audience = models.JSONField(_("vendor participants"), default=list, blank=True)
    client_audience = models.JSONField(_("client participants"), default=list, blank=True)
    is_internal = models.BooleanField(
        _("vendor-internal"), default=False, help_text=_("Never shown to the client (e.g. the handoff meeting).")
    )
    alternative_group = models.SlugField(
        _("alternative group"),
        max_length=50,
        blank=True,
        help_text=_("Cadences with the same group are alternatives: an engagement chooses one of them."),
    )
    in_default_plan = models.BooleanField(
        _("in the default plan"),
        default=True,
        help_text=_("Applied by default; in an alternative group, the default alternative."),
    )
    remind_before_minutes = models.PositiveIntegerField(_("remind participants (minutes before)"), default=24 * 60)
    agenda_lead_hours = models.PositiveIntegerField(_("prepare the agenda (hours before)"), default=48)
    invite_lead_days = models.PositiveSmallIntegerField(_("send invitations (days before)"), default=28)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CadenceTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["position", "key", "language"]
        verbose_name = _("cadence template")
        verbose_name_plural = _("cadence templates")
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="cadence_key_language_unique"),
            models.CheckConstraint(condition=Q(interval__gte=1), name="cadence_interval_positive"),
            models.CheckConstraint(condition=Q(duration_minutes__gte=5), name="cadence_duration_min"),
        ]

    def __str__(self):
        return f"{self.name} ({self.language})"

    def clean(self):
        super().clean()
        errors = {}
        _check_audience(self.vendor_audience, VendorAudience, "vendor_audience", errors)
        _check_audience(self.client_audience, ClientAudience, "client_audience", errors)
        if self.kind != CadenceKind.RECURRING and self.frequency != Frequency.ONCE:
            errors["frequency"] = _("Handoff and kickoff meetings happen once.")
        if self.kind == CadenceKind.RECURRING and self.frequency == Frequency.ONCE:
            errors["frequency"] = _("A recurring meeting needs a rhythm.")
        if self.is_internal and self.client_audience:
            errors["client_audience"] = _("A vendor-internal meeting has no client participants.")
        if errors:
            raise ValidationError(errors)

    @property
    def rule(self) -> recurrence.Rule:
        return recurrence.Rule(self.frequency, self.interval, self.weekday, self.week_of_month)


class AgendaSectionTemplate(models.Model):
    cadence = models.ForeignKey(CadenceTemplate, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True)
    live_source = models.CharField(
        _("live data"),
        max_length=40,
        blank=True,
        choices=agenda.source_choices,
        help_text=_("Filled from the engagement's live data when the agenda is prepared."),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("agenda section")
        verbose_name_plural = _("agenda sections")

    def __str__(self):
        return self.title
