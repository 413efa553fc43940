"""An engagement's governance plan, its meeting series (copied from cadences), their meetings and agendas.

A series is a copy of a cadence in the plan's language, with the engagement's own options: later edits of the
cadence never change it. Its meetings are rows generated for a rolling horizon (``services.plan``); each keeps
``original_start``, where the series put it, so generating again is idempotent (a unique constraint) and a
meeting moved on its own (``is_moved``) is left alone when the series changes.
"""

import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import TIME_ZONE_CHOICES
from audit.tracking import track
from engagements.models import Side
from engagements.policy import ScopedQuerySet

from .. import agenda, recurrence
from .cadences import CadenceKind, Frequency, Weekday, WeekOfMonth


class GovernancePlan(models.Model):
    """The engagement's choices for its meetings: the time zone they recur in and the language of their content."""

    engagement = models.OneToOneField(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="governance_plan"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/Berlin")
    language = models.CharField(_("language of the meetings"), max_length=10, choices=settings.LANGUAGES)
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("applied by")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("governance plan")
        verbose_name_plural = _("governance plans")

    def __str__(self):
        return f"Governance plan of {self.engagement}"


class MeetingSeriesQuerySet(ScopedQuerySet):
    client_visible_filter = Q(is_internal=False)

    def running(self):
        return self.filter(ended_on__isnull=True)


class MeetingSeries(models.Model):
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="meeting_series")
    cadence = models.ForeignKey(
        "governance.CadenceTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cadence"),
    )
    # The cadence's key, kept when the cadence row is deleted: "is the weekly status already applied?"
    cadence_key = models.SlugField(_("cadence key"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CadenceKind.choices, default=CadenceKind.RECURRING)
    name = models.CharField(_("name"), max_length=150)
    purpose = models.TextField(_("purpose"), blank=True)
    frequency = models.CharField(_("recurrence"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    interval = models.PositiveSmallIntegerField(_("every N"), default=1)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, default=Weekday.TUESDAY)
    week_of_month = models.SmallIntegerField(_("week of the month"), choices=WeekOfMonth.choices, null=True, blank=True)
    starts_on = models.DateField(_("first possible date"))
    start_time = models.TimeField(_("time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_meeting_series",
        verbose_name=_("owner"),
        help_text=_("Prepares the agenda and writes the minutes."),
    )
    is_internal = models.BooleanField(_("vendor-internal"), default=False)
    remind_before_minutes = models.PositiveIntegerField(_("remind participants (minutes before)"), default=24 * 60)
    agenda_lead_hours = models.PositiveIntegerField(_("prepare the agenda (hours before)"), default=48)
    invite_lead_days = models.PositiveSmallIntegerField(_("send invitations (days before)"), default=28)
    # Occurrences exist up to this local date; the horizon tick generates on from here.
    generated_until = models.DateField(_("generated until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = MeetingSeriesQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        constraints = [
            models.CheckConstraint(condition=Q(interval__gte=1), name="series_interval_positive"),
            models.CheckConstraint(condition=Q(duration_minutes__gte=5), name="series_duration_min"),
        ]
        indexes = [
            # The horizon tick looks for running series not generated far enough.
            models.Index(fields=["generated_until"], name="series_horizon", condition=Q(ended_on__isnull=True)),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        try:
            self.rule  # noqa: B018 - validates the rhythm
        except ValueError as error:
            raise ValidationError({"frequency": str(error)}) from error
        if self.ended_on and self.ended_on < self.starts_on:
            raise ValidationError({"ended_on": _("A series cannot end before it starts.")})

    @property
    def rule(self) -> recurrence.Rule:
        return recurrence.Rule(self.frequency, self.interval, self.weekday, self.week_of_month)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def is_recurring(self) -> bool:
        return self.frequency != Frequency.ONCE

    @property
    def rhythm(self) -> str:
        """The rhythm in words, in the active language ("Every 2 weeks on Thursday at 14:00")."""
        values = {
            "n": self.interval,
            "day": Weekday(self.weekday).label,
            "time": self.start_time.strftime("%H:%M"),
            "nth": WeekOfMonth(
                self.week_of_month if self.week_of_month is not None else recurrence.week_of_month_of(self.starts_on)
            ).label,
            "month": date_format(self.starts_on, "F"),
            "date": date_format(self.starts_on, "SHORT_DATE_FORMAT"),
        }
        if self.frequency == Frequency.ONCE:
            return _("Once, on %(date)s at %(time)s") % values
        if self.frequency == Frequency.WEEKLY:
            if self.interval == 1:
                return _("Every week on %(day)s at %(time)s") % values
            return _("Every %(n)s weeks on %(day)s at %(time)s") % values
        if self.frequency == Frequency.MONTHLY:
            if self.interval == 1:
                return _("Every month on the %(nth)s %(day)s at %(time)s") % values
            return _("Every %(n)s months on the %(nth)s %(day)s at %(time)s") % values
        if self.interval == 1:
            return _("Every year on the %(nth)s %(day)s of %(month)s at %(time)s") % values
        return _("Every %(n)s years on the %(nth)s %(day)s of %(month)s at %(time)s") % values


class SeriesAgendaSection(models.Model):
    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True)
    live_source = models.CharField(_("live data"), max_length=40, blank=True, choices=agenda.source_choices)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("agenda section")
        verbose_name_plural = _("agenda sections")

    def __str__(self):
        return self.title


class SeriesParticipantQuerySet(ScopedQuerySet):
    engagement_path = "series__engagement"
    client_visible_filter = Q(series__is_internal=False)


class SeriesParticipant(models.Model):
    """Who is invited to the series' meetings: a vendor person (``user``) or a client stakeholder (``stakeholder``,
    whose portal account, if any, is ``user``). Name and email are kept for the invitation."""

    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    stakeholder = models.ForeignKey(
        "engagements.Stakeholder", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"), blank=True)

    objects = SeriesParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["side", "name", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "user"], condition=Q(user__isnull=False), name="series_participant_user_once"
            ),
            models.UniqueConstraint(
                fields=["series", "email"], condition=~Q(email=""), name="series_participant_email_once"
            ),
        ]

    def __str__(self):
        return self.name


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")
    # Not marked held within two working days of its end (flagged by the meeting's reminder).
    MISSED = "missed", _("Missed")


class MeetingQuerySet(ScopedQuerySet):
    client_visible_filter = Q(is_internal=False)

    def upcoming(self, now):
        return self.filter(status=MeetingStatus.SCHEDULED, ends_at__gte=now).order_by("starts_at", "pk")


@track(engagement="engagement")
class Meeting(models.Model):
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="meetings")
    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="meetings")
    # Where the series put it (UTC); unique per series, so generating twice makes it once.
    original_start = models.DateTimeField(_("scheduled by the series for"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    title = models.CharField(_("title"), max_length=150)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    is_internal = models.BooleanField(_("vendor-internal"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_meetings", verbose_name=_("owner")
    )
    # Moved or cancelled on its own: a later edit of the series leaves it where it is.
    is_moved = models.BooleanField(_("moved on its own"), default=False)
    change_reason = models.CharField(_("reason for the change"), max_length=300, blank=True)
    # iCalendar: one UID for the meeting's life; SEQUENCE goes up with each change participants must see.
    uid = models.UUIDField(_("calendar UID"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0)
    # The SEQUENCE participants were last sent (None: not invited yet), so a change is mailed only once invited.
    invited_sequence = models.PositiveIntegerField(_("sequence sent"), null=True, blank=True)
    agenda_prepared_at = models.DateTimeField(_("agenda prepared at"), null=True, blank=True)
    held_at = models.DateTimeField(_("marked held at"), null=True, blank=True)
    minutes_version = models.PositiveIntegerField(_("minutes version"), default=0)
    minutes_published_at = models.DateTimeField(_("minutes first shared at"), null=True, blank=True)
    # Flags for health: no minutes within two working days of the end.
    minutes_late_at = models.DateTimeField(_("minutes flagged late at"), null=True, blank=True)
    # What the meeting's reminder has done, so each step happens once.
    agenda_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    participants_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(fields=["series", "original_start"], name="meeting_once_per_series_slot"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["engagement", "starts_at"], name="meeting_engagement_start"),
            models.Index(fields=["series", "starts_at"], name="meeting_series_start"),
        ]

    def __str__(self):
        return f"{self.title} {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("governance:meeting", args=[self.pk])


class Attendance(models.TextChoices):
    INVITED = "invited", _("Invited")
    ATTENDED = "attended", _("Attended")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class MeetingAttendeeQuerySet(ScopedQuerySet):
    engagement_path = "meeting__engagement"
    client_visible_filter = Q(meeting__is_internal=False)


class MeetingAttendee(models.Model):
    """A participant of one meeting with their attendance, copied from the series when the agenda is prepared
    (later changes of the series' participants do not rewrite who attended)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"), blank=True)
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.INVITED
    )

    objects = MeetingAttendeeQuerySet.as_manager()

    class Meta:
        ordering = ["side", "name", "pk"]
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")

    def __str__(self):
        return self.name


class AgendaItemQuerySet(ScopedQuerySet):
    engagement_path = "meeting__engagement"
    client_visible_filter = Q(is_internal=False, meeting__is_internal=False)


class AgendaItem(models.Model):
    """A section of a meeting's agenda (``parent`` empty) or an entry in one. Live entries keep ``source_ref``
    (what they are about), so refreshing the agenda adds only what is new."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="entries", verbose_name=_("section")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=300)
    guidance = models.TextField(_("guidance"), blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    live_source = models.CharField(_("live data"), max_length=40, blank=True)
    source_ref = models.CharField(_("about"), max_length=100, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    is_internal = models.BooleanField(_("vendor-internal"), default=False)
    minutes = models.TextField(_("minutes (shared with the client)"), blank=True)
    internal_notes = models.TextField(_("internal notes (vendor only)"), blank=True)
    # A carried-over action item this entry is about.
    action_item = models.ForeignKey(
        "governance.Outcome", on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_entries"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "source_ref"], condition=~Q(source_ref=""), name="agenda_entry_once_per_meeting"
            ),
        ]

    def __str__(self):
        return self.title


# The ``Promise.source`` of a promise made in a meeting (engagements' promise ledger; its source object is the
# meeting), registered in ``GovernanceConfig.ready``.
MEETING_SOURCE = "meeting"
