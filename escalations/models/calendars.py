"""Business calendars: a time zone, working windows per weekday and holidays (``business_time`` does the sums)."""

from datetime import time

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import TIME_ZONE_CHOICES
from audit.tracking import track

from ..business_time import Schedule

MIDNIGHT = time(0, 0)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


@track(engagement=None)
class BusinessCalendar(models.Model):
    """When an engagement's clock runs (unless it is covered around the clock)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/Warsaw")
    country = models.CharField(
        _("country for holidays"),
        max_length=2,
        blank=True,
        help_text=_("Two-letter country code (PL, DE, ...) for seeding public holidays."),
    )
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Used by engagements that name no calendar.")
    )
    # Public holidays of ``country`` are listed through this day; seeding only adds days after it, so a holiday an
    # admin deleted (a day the client works after all) is not added again.
    holidays_seeded_through = models.DateField(
        _("holidays seeded through"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Public holidays of the country are added automatically for the days after this one."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_calendar"),
        ]

    def __str__(self):
        return self.name

    def schedule(self, *, windows=None, holidays=None) -> Schedule:
        """The calendar ready for arithmetic; pass prefetched ``windows``/``holidays`` to avoid queries."""
        windows = self.windows.all() if windows is None else windows
        holidays = self.holidays.values_list("date", flat=True) if holidays is None else holidays
        by_day: dict[int, list] = {}
        for window in windows:
            by_day.setdefault(window.weekday, []).append((window.starts_at, window.ends_at))
        return Schedule(zone=self.time_zone, windows=by_day, holidays=frozenset(holidays))


class WorkingWindow(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("to"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        ordering = ["weekday", "starts_at"]
        verbose_name = _("working window")
        verbose_name_plural = _("working windows")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")) | Q(ends_at=MIDNIGHT),
                name="working_window_ends_after_start",
                violation_error_message=_("A window must end after it starts (00:00 for midnight)."),
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"

    def _end_minutes(self) -> int:
        return 24 * 60 if self.ends_at == MIDNIGHT else self.ends_at.hour * 60 + self.ends_at.minute

    def clean(self):
        super().clean()
        if self.starts_at is None or self.ends_at is None or self.weekday is None or not self.calendar_id:
            return
        start = self.starts_at.hour * 60 + self.starts_at.minute
        if self._end_minutes() <= start:
            raise ValidationError({"ends_at": _("A window must end after it starts (00:00 for midnight).")})
        for other in WorkingWindow.objects.filter(calendar_id=self.calendar_id, weekday=self.weekday).exclude(
            pk=self.pk
        ):
            other_start = other.starts_at.hour * 60 + other.starts_at.minute
            if start < other._end_minutes() and other_start < self._end_minutes():
                raise ValidationError(_("This window overlaps %(other)s.") % {"other": other})


class Holiday(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_once_per_day")]

    def __str__(self):
        return f"{self.date}: {self.name}"
