"""Changing a plan once applied: editing a series (the meetings still to come follow it), ending it, moving,
cancelling and adding single meetings, and a series' participants. Each change participants must see raises the
meeting's calendar SEQUENCE, and invited participants get the update or the cancellation (``lifecycle``)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from engagements import policy
from engagements.figures import figures_refresh
from engagements.models import Engagement, Phase, Side, Stakeholder

from .. import permissions, recurrence
from ..models import (
    CadenceKind,
    CadenceTemplate,
    ClientAudience,
    Frequency,
    GovernancePlan,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    SeriesParticipant,
    VendorAudience,
)
from . import lifecycle
from .actions import owner_choices
from .plan import (
    generate_until,
    new_meeting,
    participants_for,
    series_from_cadence,
    series_generate_many,
    zone_of,
)

# --- Editing a series (future meetings only) ------------------------------------------------------------------

SERIES_FIELDS = (
    "name",
    "purpose",
    "frequency",
    "interval",
    "weekday",
    "week_of_month",
    "start_time",
    "duration_minutes",
    "owner",
    "remind_before_minutes",
    "agenda_lead_hours",
    "invite_lead_days",
)


@transaction.atomic
def series_update(*, by, series: MeetingSeries, now: datetime | None = None, **changes) -> MeetingSeries:
    """Change a series from now on: meetings still to come follow the new rhythm, time, duration and name (each
    moved one gets a new calendar SEQUENCE, so invited participants receive an update); past meetings, meetings
    moved or cancelled on their own, and meetings already held stay as they were. The series keeps its phase (its
    anchor date) unless its cycle changes: a new name or time of day moves no meeting to another date."""
    now = now or timezone.now()
    series = MeetingSeries.objects.select_for_update(of=("self",)).select_related("engagement").get(pk=series.pk)
    policy.require_manage(by, series.engagement)
    unknown = set(changes) - set(SERIES_FIELDS)
    if unknown:
        raise ValueError(f"not a series field: {sorted(unknown)}")
    if series.ended_on is not None:
        raise ValidationError(_("This series has ended."))
    if not series.is_recurring and {"frequency", "interval"} & set(changes):
        changes.pop("frequency", None)
        changes.pop("interval", None)
    owner = changes.get("owner")
    if owner is not None and not (owner.is_vendor_user and owner.is_active):
        raise ValidationError({"owner": _("The owner must be an active member of our staff.")})
    old_cycle = (series.frequency, series.interval)
    for name, value in changes.items():
        setattr(series, name, value)
    if series.is_recurring:
        # The anchor is the series' phase (which week of a fortnight, which month of the year): an edit keeps it,
        # so a new name or time of day moves no date. A new cycle (frequency or interval) counts from today.
        if (series.frequency, series.interval) != old_cycle:
            series.starts_on = max(series.starts_on, timezone.localdate(now, series.zone))
    else:
        series.weekday = series.starts_on.weekday()
    series.updated_at = now
    series.full_clean()
    series.save()
    _reschedule_future(series, now=now, by=by)
    return series


def _reschedule_future(series, *, now, by=None):
    future = list(
        series.meetings.filter(starts_at__gt=now, status=MeetingStatus.SCHEDULED, is_moved=False).order_by(
            "original_start"
        )
    )
    if not series.is_recurring:
        # A single meeting keeps its date; only its time, length and name follow the series.
        starts = [recurrence.local_to_utc(series.starts_on, series.start_time, series.zone)]
        too_late = set()
    else:
        until = series.generated_until or generate_until(series, now)
        slots = list(
            recurrence.occurrences(
                series.rule,
                anchor=series.starts_on,
                at=series.start_time,
                zone=series.zone,
                start=timezone.localdate(now, series.zone),
                until=until,
            )
        )
        starts = [at for at in slots if at > now]
        # Today's meeting still to come whose new time of day is already past keeps its time.
        too_late = {at.astimezone(series.zone).date() for at in slots if at <= now}
    # Dates already represented by a meeting that stays (past, held, moved or cancelled on its own): by local
    # date, so a new time of day does not bring back a meeting cancelled on its own.
    future_ids = {m.pk for m in future}
    taken = {
        at.astimezone(series.zone).date()
        for at in series.meetings.exclude(pk__in=future_ids).values_list("original_start", flat=True)
    }
    starts = [at for at in starts if at.astimezone(series.zone).date() not in taken]
    wanted = set(starts)
    unchanged = [
        m for m in future if m.original_start in wanted or m.original_start.astimezone(series.zone).date() in too_late
    ]
    kept = {m.original_start for m in unchanged}
    staying = {m.pk for m in unchanged}
    old = [m for m in future if m.pk not in staying]
    new = [at for at in starts if at not in kept]
    duration = timedelta(minutes=series.duration_minutes)
    changed = []
    for meeting in unchanged:
        if meeting.ends_at != meeting.starts_at + duration or meeting.title != series.name:
            changed.append(meeting)
    for meeting, at in zip(old, new, strict=False):
        meeting.original_start = meeting.starts_at = at
        changed.append(meeting)
    for meeting in changed:
        meeting.ends_at = meeting.starts_at + duration
        meeting.title = series.name
        meeting.owner_id = series.owner_id
        meeting.sequence += 1
        meeting.updated_at = now
        meeting.save()
    for meeting in unchanged:
        if meeting not in changed and meeting.owner_id != series.owner_id:
            meeting.owner_id = series.owner_id
            meeting.save(update_fields=["owner"])
    surplus = old[len(new) :]
    for meeting in surplus:
        _cancel(meeting, reason=_("The series was changed."), now=now, by=by)
    created = [new_meeting(series, at, now) for at in new[len(old) :]]
    Meeting.objects.bulk_create(created)
    lifecycle.schedule_many(changed + created, now=now)
    lifecycle.schedule_many(unchanged, now=now)
    # One notice of the change in the notification centre (each meeting's update still goes by email).
    notice = f"governance.series_update:{series.pk}:{now.isoformat()}"
    for meeting in changed:
        lifecycle.send_update_if_invited(meeting, now=now, by=by, notice_event=notice)


@transaction.atomic
def series_end(*, by, series: MeetingSeries, now: datetime | None = None) -> int:
    """End a series today: its meetings still to come are cancelled (participants who were invited get the
    cancellation). Returns how many were cancelled."""
    now = now or timezone.now()
    series = MeetingSeries.objects.select_for_update(of=("self",)).select_related("engagement").get(pk=series.pk)
    policy.require_manage(by, series.engagement)
    if series.ended_on is not None:
        return 0
    series.ended_on = max(timezone.localdate(now, series.zone), series.starts_on)
    series.updated_at = now
    series.save(update_fields=["ended_on", "updated_at"])
    future = list(series.meetings.filter(starts_at__gt=now, status=MeetingStatus.SCHEDULED))
    for meeting in future:
        _cancel(meeting, reason=_("The series was ended."), now=now, by=by)
    return len(future)


# --- Single meetings ------------------------------------------------------------------------------------------


def _validate_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason: the participants see it.")})
    return reason[:300]


def _locked_meeting(meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).select_related("engagement", "series").get(pk=meeting.pk)


@transaction.atomic
def meeting_move(
    *, by, meeting: Meeting, starts_at: datetime, duration_minutes: int | None = None, reason: str, now=None
) -> Meeting:
    """Move one meeting (its series stays as it is); invited participants get an update."""
    now = now or timezone.now()
    reason = _validate_reason(reason)
    meeting = _locked_meeting(meeting)
    if not permissions.may_run_meeting(by, meeting):
        raise PermissionDenied
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled meeting can be moved."))
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be aware")
    if starts_at <= now:
        raise ValidationError({"starts_at": _("Move the meeting to a time still to come.")})
    duration = timedelta(minutes=duration_minutes or int((meeting.ends_at - meeting.starts_at).total_seconds() // 60))
    if duration < timedelta(minutes=5):
        raise ValidationError({"duration_minutes": _("A meeting lasts at least 5 minutes.")})
    meeting.starts_at, meeting.ends_at = starts_at, starts_at + duration
    meeting.is_moved = True
    meeting.change_reason = reason
    meeting.sequence += 1
    meeting.updated_at = now
    # Reminders already sent were about the old time; the new time is reminded again.
    meeting.participants_reminded_at = None
    meeting.save()
    lifecycle.schedule_many([meeting], now=now)
    lifecycle.send_update_if_invited(meeting, now=now, by=by)
    return meeting


def _cancel(meeting, *, reason, now, by=None):
    meeting.status = MeetingStatus.CANCELLED
    meeting.change_reason = reason
    meeting.sequence += 1
    meeting.updated_at = now
    meeting.save()
    lifecycle.cancel_reminder(meeting, now=now)
    lifecycle.send_cancellation_if_invited(meeting, now=now, by=by)
    figures_refresh([meeting.engagement_id], now=now)


@transaction.atomic
def meeting_cancel(*, by, meeting: Meeting, reason: str, now=None) -> Meeting:
    """Cancel one meeting with a reason (its series goes on); invited participants get a cancellation."""
    now = now or timezone.now()
    reason = _validate_reason(reason)
    meeting = _locked_meeting(meeting)
    if not permissions.may_run_meeting(by, meeting):
        raise PermissionDenied
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled meeting can be cancelled."))
    meeting.is_moved = True
    _cancel(meeting, reason=reason, now=now, by=by)
    return meeting


@transaction.atomic
def meeting_add(
    *,
    by,
    engagement: Engagement,
    title: str,
    starts_at: datetime,
    duration_minutes: int,
    cadence: CadenceTemplate | None = None,
    is_internal: bool = False,
    now=None,
) -> Meeting:
    """A single meeting (a kickoff or handoff meeting scheduled by hand, or an extra one), as a series of one,
    with the cadence's agenda and participants when one is given."""
    now = now or timezone.now()
    policy.require_manage(by, engagement)
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be aware")
    if starts_at <= now:
        raise ValidationError({"starts_at": _("Schedule the meeting at a time still to come.")})
    plan = GovernancePlan.objects.filter(engagement=engagement).first()
    zone_name = plan.time_zone if plan else settings.TIME_ZONE
    local = starts_at.astimezone(zone_of(zone_name))
    with translation.override(plan.language if plan else settings.LANGUAGE_CODE):
        if cadence is not None:
            series = series_from_cadence(
                engagement,
                cadence,
                plan=plan or GovernancePlan(time_zone=zone_name),
                starts_on=local.date(),
                now=now,
            )
            series.frequency, series.interval = Frequency.ONCE, 1
            series.name = title or cadence.name
            series.start_time = local.time().replace(second=0, microsecond=0)
            series.duration_minutes = duration_minutes
            series.full_clean()
            series.save()
        else:
            series = MeetingSeries(
                engagement=engagement,
                kind=CadenceKind.RECURRING,
                name=title,
                frequency=Frequency.ONCE,
                weekday=local.weekday(),
                starts_on=local.date(),
                start_time=local.time().replace(second=0, microsecond=0),
                duration_minutes=duration_minutes,
                time_zone=zone_name,
                owner=engagement.pm or engagement.csm,
                is_internal=is_internal,
                created_at=now,
                updated_at=now,
            )
            series.full_clean()
            series.save()
            SeriesParticipant.objects.bulk_create(
                _with_series(
                    participants_for(
                        engagement,
                        vendor_audience=[VendorAudience.CSM, VendorAudience.PM, VendorAudience.DEPUTY_PM],
                        client_audience=[] if is_internal else [ClientAudience.KEY_USER],
                    ),
                    series,
                )
            )
    series_generate_many([series], now=now, until=local.date())
    return series.meetings.get()


def _with_series(participants, series):
    for participant in participants:
        participant.series = series
    return participants


# --- Participants of a series -----------------------------------------------------------------------------------


def participant_candidates(series) -> list[tuple[str, str]]:
    """Who may be added: the engagement's team (``user:<id>``) and, for a client meeting, its stakeholders
    (``stakeholder:<id>``), less those already taking part."""
    taken_users = set(series.participants.exclude(user=None).values_list("user_id", flat=True))
    taken_stakeholders = set(series.participants.exclude(stakeholder=None).values_list("stakeholder_id", flat=True))
    choices = [
        (f"user:{user.pk}", str(user))
        for user in owner_choices(series.engagement, side=Side.VENDOR)
        if user.pk not in taken_users
    ]
    if not series.is_internal:
        choices += [
            (f"stakeholder:{s.pk}", f"{s.name} ({s.role_title or _('client')})")
            for s in Stakeholder.objects.filter(engagement=series.engagement).select_related("user")
            if s.pk not in taken_stakeholders and (s.user_id is None or s.user_id not in taken_users)
        ]
    return choices


@transaction.atomic
def series_participant_add(*, by, series: MeetingSeries, person: str) -> SeriesParticipant:
    """Add a team member or a stakeholder (``user:<id>`` / ``stakeholder:<id>``) to the series' meetings to come."""
    series = MeetingSeries.objects.select_for_update(of=("self",)).select_related("engagement").get(pk=series.pk)
    policy.require_manage(by, series.engagement)
    kind, _sep, pk = (person or "").partition(":")
    if not pk.isdigit() or kind not in ("user", "stakeholder"):
        raise ValidationError({"person": _("Choose a person from the list.")})
    if kind == "user":
        user = owner_choices(series.engagement, side=Side.VENDOR).filter(pk=int(pk)).first()
        if user is None:
            raise ValidationError({"person": _("Choose someone working on this engagement.")})
        participant = SeriesParticipant(series=series, user=user, side=Side.VENDOR, name=str(user), email=user.email)
    else:
        stakeholder = (
            Stakeholder.objects.filter(engagement=series.engagement, pk=int(pk)).select_related("user").first()
        )
        if stakeholder is None or series.is_internal:
            raise ValidationError({"person": _("Choose a stakeholder of this engagement's client.")})
        user = stakeholder.user if stakeholder.user and stakeholder.user.is_active else None
        participant = SeriesParticipant(
            series=series,
            user=user,
            stakeholder=stakeholder,
            side=Side.CLIENT,
            name=stakeholder.name,
            email=(stakeholder.email or (user.email if user else "")).lower(),
        )
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError as error:
        raise ValidationError({"person": _("This person already takes part.")}) from error
    return participant


@transaction.atomic
def series_participant_remove(*, by, participant: SeriesParticipant) -> None:
    policy.require_manage(by, participant.series.engagement)
    participant.delete()


# --- A closed engagement meets no more ----------------------------------------------------------------------------


def engagement_closed(*, engagement, from_phase, by, now: datetime) -> None:
    """Engagements' hook, in the transaction that moved the engagement to another phase: closing it ends its
    meeting series (no more are generated) and cancels its meetings still to come; participants who were invited
    get the cancellation with its calendar file, the others were never told of them."""
    if engagement.phase != Phase.CLOSED:
        return
    for series in MeetingSeries.objects.select_for_update().filter(engagement=engagement, ended_on__isnull=True):
        series.ended_on = max(timezone.localdate(now, series.zone), series.starts_on)
        series.updated_at = now
        series.save(update_fields=["ended_on", "updated_at"])
    future = (
        Meeting.objects.select_for_update(of=("self",))
        .filter(engagement=engagement, status=MeetingStatus.SCHEDULED, starts_at__gt=now)
        .select_related("engagement", "series")
        .order_by("starts_at", "pk")
    )
    for meeting in future:
        _cancel(meeting, reason=_("The engagement was closed."), now=now, by=by)


# --- The kickoff follows its date -------------------------------------------------------------------------------


def kickoff_moved(*, engagement, by, now: datetime) -> None:
    """Engagements' hook, in the transaction that set or moved the kickoff (or contract) date: the kickoff meeting
    still to come moves to the new kickoff date at its time of day, and invited participants get the update. A
    kickoff date already past is left to the PM (the meeting stays where it is)."""
    if engagement.kickoff_on is None:
        return
    kickoffs = MeetingSeries.objects.select_for_update().filter(
        engagement=engagement, kind=CadenceKind.KICKOFF, ended_on__isnull=True
    )
    for series in kickoffs:
        meeting = series.meetings.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=now).first()
        if meeting is None:
            continue
        local = meeting.starts_at.astimezone(series.zone)
        if local.date() == engagement.kickoff_on:
            continue
        start = recurrence.local_to_utc(engagement.kickoff_on, local.time(), series.zone)
        if start <= now:
            continue
        series.starts_on, series.weekday, series.updated_at = (
            engagement.kickoff_on,
            engagement.kickoff_on.weekday(),
            now,
        )
        series.save(update_fields=["starts_on", "weekday", "updated_at"])
        duration = meeting.ends_at - meeting.starts_at
        meeting.original_start = meeting.starts_at = start
        meeting.ends_at = start + duration
        meeting.change_reason = _("The kickoff date moved.")
        meeting.sequence += 1
        meeting.updated_at = now
        meeting.participants_reminded_at = None
        meeting.save()
        lifecycle.schedule_many([meeting], now=now)
        lifecycle.send_update_if_invited(meeting, now=now, by=by)
