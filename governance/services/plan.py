"""The governance plan: applying cadences to an engagement, generating meetings for a rolling horizon, editing a
series (future meetings only), moving, cancelling and adding single meetings.

Meetings are rows generated up to ``GOVERNANCE_HORIZON_WEEKS`` ahead; a periodic tick (``meetings_top_up``)
generates on as time passes, idempotently: ``(series, original_start)`` is unique and each series remembers how
far it is generated (``generated_until``), so a doubled or lost tick neither duplicates nor skips a meeting.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from engagements import policy
from engagements.models import Engagement, EngagementMember, Level, Phase, Side, Stakeholder

from .. import recurrence
from ..models import (
    CadenceKind,
    CadenceTemplate,
    ClientAudience,
    Frequency,
    GovernancePlan,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    SeriesAgendaSection,
    SeriesParticipant,
    VendorAudience,
)
from . import lifecycle

logger = logging.getLogger(__name__)


def horizon() -> timedelta:
    return timedelta(weeks=settings.GOVERNANCE_HORIZON_WEEKS)


def _require_manager(by, engagement):
    if not policy.may_manage(by, engagement):
        raise PermissionDenied


# --- Participants ---------------------------------------------------------------------------------------------


def _vendor_people(engagement, audience) -> list:
    from accounts.models import Role, User

    people = []
    wanted = set(audience)
    for role, person in (
        (VendorAudience.CSM, engagement.csm),
        (VendorAudience.PM, engagement.pm),
        (VendorAudience.DEPUTY_PM, engagement.deputy_pm),
        (VendorAudience.ACCOUNT_EXECUTIVE, engagement.account_executive),
    ):
        if role in wanted and person is not None:
            people.append(person)
    if VendorAudience.TEAM in wanted:
        people += [m.user for m in EngagementMember.objects.filter(engagement=engagement).select_related("user")]
    role_of = {VendorAudience.DIRECTOR: Role.DIRECTOR, VendorAudience.EXECUTIVE: Role.EXECUTIVE}
    roles = [role for audience, role in role_of.items() if audience in wanted]
    if roles:
        people += list(User.objects.filter(role__in=roles, is_active=True).order_by("full_name"))
    return [person for person in people if person.is_active]


def _client_people(engagement, audience) -> list[Stakeholder]:
    wanted = set(audience)
    if not wanted:
        return []
    stakeholders = Stakeholder.objects.filter(engagement=engagement).select_related("user")
    if ClientAudience.STAKEHOLDERS in wanted:
        return list(stakeholders)
    query = Q(pk__in=[])
    if ClientAudience.KEY_USER in wanted:
        query |= Q(is_key_user=True)
    if ClientAudience.EXECUTIVE_SPONSOR in wanted:
        query |= Q(is_executive_sponsor=True)
    if ClientAudience.DECISION_MAKERS in wanted:
        query |= Q(influence=Level.HIGH)
    return list(stakeholders.filter(query))


def participants_for(engagement, *, vendor_audience, client_audience) -> list[SeriesParticipant]:
    """Unsaved participants for an audience: the engagement's team by role, and its stakeholder map. A key user
    without a stakeholder entry (none named yet) is taken from the client's accounts (``policy.key_user_of``)."""
    result, users, emails = [], set(), set()

    def add(participant):
        if participant.user_id and participant.user_id in users:
            return
        if participant.email and participant.email.lower() in emails:
            return
        users.add(participant.user_id)
        if participant.email:
            emails.add(participant.email.lower())
        result.append(participant)

    for person in _vendor_people(engagement, vendor_audience):
        add(SeriesParticipant(user=person, side=Side.VENDOR, name=str(person), email=person.email))
    stakeholders = _client_people(engagement, client_audience)
    for stakeholder in stakeholders:
        user = stakeholder.user if stakeholder.user and stakeholder.user.is_active else None
        add(
            SeriesParticipant(
                user=user,
                stakeholder=stakeholder,
                side=Side.CLIENT,
                name=stakeholder.name,
                email=(stakeholder.email or (user.email if user else "")).lower(),
            )
        )
    if ClientAudience.KEY_USER in set(client_audience) and not any(s.is_key_user for s in stakeholders):
        key_user = policy.key_user_of(engagement)
        if key_user is not None:
            add(SeriesParticipant(user=key_user, side=Side.CLIENT, name=str(key_user), email=key_user.email))
    return result


# --- Applying cadences ----------------------------------------------------------------------------------------


@dataclass
class PlanResult:
    plan: GovernancePlan
    created: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


def default_language(engagement) -> str:
    """The client's language: its key user's, else the site's default."""
    key_user = policy.key_user_of(engagement)
    languages = dict(settings.LANGUAGES)
    if key_user is not None and key_user.language in languages:
        return key_user.language
    return settings.LANGUAGE_CODE


def cadence_choices(language: str) -> tuple[list[CadenceTemplate], dict[str, list[CadenceTemplate]]]:
    """The active cadences in ``language`` (one per key): those applied on their own, and the alternative groups
    (an engagement takes one of each group, e.g. the executive review every 6 weeks or yearly)."""
    single, groups = [], {}
    for cadence in CadenceTemplate.objects.active().prefetch_related("sections").in_language(language):
        if cadence.alternative_group:
            groups.setdefault(cadence.alternative_group, []).append(cadence)
        else:
            single.append(cadence)
    return single, groups


def _one_off_date(engagement, kind) -> date | None:
    if kind == CadenceKind.KICKOFF:
        return engagement.kickoff_on
    handoff = getattr(engagement, "handoff", None)
    return handoff.meeting_on if handoff is not None else None


@transaction.atomic
def plan_apply(
    *,
    by,
    engagement: Engagement,
    cadence_keys: list[str],
    time_zone: str,
    language: str,
    starts_on: date,
    now: datetime | None = None,
) -> PlanResult:
    """Apply the chosen cadences (by key, taken in ``language``) to the engagement, with its time zone; create
    each series with its participants and agenda and generate its meetings for the horizon. A cadence already
    running on the engagement is left as it is, so applying twice adds only what is new."""
    now = now or timezone.now()
    _require_manager(by, engagement)
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.phase == Phase.CLOSED:
        raise ValidationError(_("The engagement is closed."))
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the portal's languages.")})
    try:
        recurrence.local_to_utc(starts_on, time(12), _zone(time_zone))
    except ValueError as error:
        raise ValidationError({"time_zone": _("Unknown time zone.")}) from error
    single, groups = cadence_choices(language)
    by_key = {c.key: c for c in single} | {c.key: c for group in groups.values() for c in group}
    unknown = [key for key in cadence_keys if key not in by_key]
    if unknown or not cadence_keys:
        raise ValidationError(_("Choose at least one of the offered cadences."))
    chosen_groups = [by_key[key].alternative_group for key in cadence_keys if by_key[key].alternative_group]
    if len(chosen_groups) != len(set(chosen_groups)):
        raise ValidationError(_("Choose one rhythm of each alternative (e.g. one executive review)."))
    plan, _created = GovernancePlan.objects.update_or_create(
        engagement=engagement,
        defaults={"time_zone": time_zone, "language": language, "applied_at": now, "applied_by": by},
    )
    running = set(MeetingSeries.objects.filter(engagement=engagement).running().values_list("cadence_key", flat=True))
    result = PlanResult(plan=plan)
    for key in cadence_keys:
        cadence = by_key[key]
        if key in running or (cadence.alternative_group and _group_running(engagement, cadence, groups)):
            result.skipped.append(_("%(name)s is already in the plan.") % {"name": cadence.name})
            continue
        first = starts_on
        if cadence.kind != CadenceKind.RECURRING:
            first = _one_off_date(engagement, cadence.kind)
            if first is None or first < timezone.localdate(now, _zone(time_zone)):
                what = _("the kickoff date") if cadence.kind == CadenceKind.KICKOFF else _("the handoff meeting date")
                result.skipped.append(
                    _("%(name)s is not scheduled: set %(what)s first, or add it as a single meeting.")
                    % {"name": cadence.name, "what": what}
                )
                continue
        result.created.append(_series_from_cadence(engagement, cadence, plan=plan, starts_on=first, now=now))
    series_generate_many(result.created, now=now)
    return result


def _group_running(engagement, cadence, groups) -> bool:
    keys = [c.key for c in groups.get(cadence.alternative_group, [])]
    return MeetingSeries.objects.filter(engagement=engagement, cadence_key__in=keys).running().exists()


def _zone(name):
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name)
    except (KeyError, ValueError) as error:
        raise ValueError(name) from error


def _series_from_cadence(engagement, cadence, *, plan, starts_on, now) -> MeetingSeries:
    owner = engagement.pm or engagement.csm
    series = MeetingSeries(
        engagement=engagement,
        cadence=cadence,
        cadence_key=cadence.key,
        kind=cadence.kind,
        name=cadence.name,
        purpose=cadence.purpose,
        frequency=cadence.frequency,
        interval=cadence.interval,
        weekday=starts_on.weekday() if cadence.frequency == Frequency.ONCE else cadence.weekday,
        week_of_month=cadence.week_of_month,
        starts_on=starts_on,
        start_time=cadence.start_time,
        duration_minutes=cadence.duration_minutes,
        time_zone=plan.time_zone,
        owner=owner,
        is_internal=cadence.is_internal,
        remind_before_minutes=cadence.remind_before_minutes,
        agenda_lead_hours=cadence.agenda_lead_hours,
        invite_lead_days=cadence.invite_lead_days,
        created_at=now,
        updated_at=now,
    )
    series.full_clean()
    series.save()
    SeriesAgendaSection.objects.bulk_create(
        SeriesAgendaSection(
            series=series,
            position=section.position,
            title=section.title,
            guidance=section.guidance,
            live_source=section.live_source,
        )
        for section in cadence.sections.all()
    )
    participants = participants_for(
        engagement,
        vendor_audience=cadence.vendor_audience,
        client_audience=[] if cadence.is_internal else cadence.client_audience,
    )
    for participant in participants:
        participant.series = series
    SeriesParticipant.objects.bulk_create(participants)
    return series


# --- Generating meetings ----------------------------------------------------------------------------------------


def _until_for(series, now) -> date:
    until = (now + horizon()).astimezone(series.zone).date()
    return min(until, series.ended_on) if series.ended_on else until


def _new_meeting(series, start, now) -> Meeting:
    return Meeting(
        engagement_id=series.engagement_id,
        series=series,
        original_start=start,
        starts_at=start,
        ends_at=start + timedelta(minutes=series.duration_minutes),
        title=series.name,
        is_internal=series.is_internal,
        owner_id=series.owner_id,
        created_at=now,
        updated_at=now,
    )


def series_generate_many(series_list, *, now: datetime, until: date | None = None) -> int:
    """Create the meetings of each series from where it was generated to ``until`` (local date; by default the
    horizon) and schedule their reminders. Call with the series locked (or new): the bulk insert then cannot
    conflict; if it does (a series' ``generated_until`` set back by hand), the batch is created row by row,
    leaving out what exists."""
    rows, touched = [], []
    for series in series_list:
        last = _until_for(series, now) if until is None else min(until, series.ended_on or until)
        start = series.generated_until + timedelta(days=1) if series.generated_until else series.starts_on
        if last < start:
            continue
        for at in recurrence.occurrences(
            series.rule, anchor=series.starts_on, at=series.start_time, zone=series.zone, start=start, until=last
        ):
            # Today's slot may be over already when a series starts today: a meeting is never made in the past.
            if at > now:
                rows.append(_new_meeting(series, at, now))
        series.generated_until = last
        touched.append(series)
    if not touched:
        return 0
    try:
        with transaction.atomic():
            created = Meeting.objects.bulk_create(rows, batch_size=1000)
    except IntegrityError:
        logger.warning("Meetings of %s series overlapped existing ones; creating them one by one.", len(touched))
        created = []
        for row in rows:
            meeting, made = Meeting.objects.get_or_create(
                series=row.series, original_start=row.original_start, defaults=_fields_of(row)
            )
            if made:
                created.append(meeting)
    MeetingSeries.objects.bulk_update(touched, ["generated_until"], batch_size=1000)
    lifecycle.schedule_many(created, now=now)
    return len(created)


def _fields_of(meeting) -> dict:
    return {
        f.attname: getattr(meeting, f.attname)
        for f in Meeting._meta.concrete_fields
        if f.attname not in ("id", "series_id", "original_start")
    }


def meetings_top_up(*, now: datetime | None = None, batch: int = 500) -> int:
    """The periodic tick: generate on every running series of an open engagement whose meetings end before the
    horizon. Claims series in batches (``SKIP LOCKED``), so two ticks at once share the work."""
    now = now or timezone.now()
    # A day of slack: series keep local dates, and a zone behind UTC is a day behind this UTC date.
    behind = (now + horizon()).date() - timedelta(days=1)
    total = 0
    while True:
        with transaction.atomic():
            series = list(
                MeetingSeries.objects.running()
                .filter(Q(generated_until__isnull=True) | Q(generated_until__lt=behind))
                .exclude(engagement__phase=Phase.CLOSED)
                .exclude(frequency=Frequency.ONCE, generated_until__isnull=False)
                .order_by("pk")
                .select_for_update(skip_locked=True, of=("self",))[:batch]
            )
            if not series:
                return total
            total += series_generate_many(series, now=now)
            # A series that cannot go further (ended) must not be picked again and again.
            stuck = [s.pk for s in series if s.generated_until is None or s.generated_until < behind]
            if stuck:
                MeetingSeries.objects.filter(pk__in=stuck, ended_on__isnull=False).update(generated_until=behind)
                if len(stuck) == len(series):
                    return total


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
    moved or cancelled on their own, and meetings already held stay as they were."""
    now = now or timezone.now()
    series = MeetingSeries.objects.select_for_update(of=("self",)).select_related("engagement").get(pk=series.pk)
    _require_manager(by, series.engagement)
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
    for name, value in changes.items():
        setattr(series, name, value)
    if series.is_recurring:
        # The rhythm counts from today: the next occurrence follows the new rule from here on.
        series.starts_on = max(series.starts_on, timezone.localdate(now, series.zone))
    else:
        series.weekday = series.starts_on.weekday()
    series.updated_at = now
    series.full_clean()
    series.save()
    _reschedule_future(series, now=now)
    return series


def _reschedule_future(series, *, now):
    future = list(
        series.meetings.filter(starts_at__gt=now, status=MeetingStatus.SCHEDULED, is_moved=False).order_by(
            "original_start"
        )
    )
    if not series.is_recurring:
        # A single meeting keeps its date; only its time, length and name follow the series.
        starts = [recurrence.local_to_utc(series.starts_on, series.start_time, series.zone)]
    else:
        until = series.generated_until or _until_for(series, now)
        starts = [
            at
            for at in recurrence.occurrences(
                series.rule,
                anchor=series.starts_on,
                at=series.start_time,
                zone=series.zone,
                start=timezone.localdate(now, series.zone),
                until=until,
            )
            if at > now
        ]
    # Slots already represented by a meeting that stays (past, held, moved or cancelled on its own).
    future_ids = {m.pk for m in future}
    taken = set(series.meetings.exclude(pk__in=future_ids).values_list("original_start", flat=True))
    starts = [at for at in starts if at not in taken]
    wanted = set(starts)
    unchanged = [m for m in future if m.original_start in wanted]
    kept = {m.original_start for m in unchanged}
    old = [m for m in future if m.original_start not in wanted]
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
        _cancel(meeting, reason=_("The series was changed."), now=now)
    created = [_new_meeting(series, at, now) for at in new[len(old) :]]
    Meeting.objects.bulk_create(created)
    lifecycle.schedule_many(changed + created, now=now)
    lifecycle.schedule_many(unchanged, now=now)
    for meeting in changed:
        lifecycle.send_update_if_invited(meeting, now=now)


@transaction.atomic
def series_end(*, by, series: MeetingSeries, now: datetime | None = None) -> int:
    """End a series today: its meetings still to come are cancelled (participants who were invited get the
    cancellation). Returns how many were cancelled."""
    now = now or timezone.now()
    series = MeetingSeries.objects.select_for_update(of=("self",)).select_related("engagement").get(pk=series.pk)
    _require_manager(by, series.engagement)
    if series.ended_on is not None:
        return 0
    series.ended_on = max(timezone.localdate(now, series.zone), series.starts_on)
    series.updated_at = now
    series.save(update_fields=["ended_on", "updated_at"])
    future = list(series.meetings.filter(starts_at__gt=now, status=MeetingStatus.SCHEDULED))
    for meeting in future:
        _cancel(meeting, reason=_("The series was ended."), now=now)
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
    _require_manager(by, meeting.engagement)
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
    lifecycle.send_update_if_invited(meeting, now=now)
    return meeting


def _cancel(meeting, *, reason, now):
    meeting.status = MeetingStatus.CANCELLED
    meeting.change_reason = reason
    meeting.sequence += 1
    meeting.updated_at = now
    meeting.save()
    lifecycle.cancel_reminder(meeting, now=now)
    lifecycle.send_cancellation_if_invited(meeting, now=now)


@transaction.atomic
def meeting_cancel(*, by, meeting: Meeting, reason: str, now=None) -> Meeting:
    """Cancel one meeting with a reason (its series goes on); invited participants get a cancellation."""
    now = now or timezone.now()
    reason = _validate_reason(reason)
    meeting = _locked_meeting(meeting)
    _require_manager(by, meeting.engagement)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled meeting can be cancelled."))
    meeting.is_moved = True
    _cancel(meeting, reason=reason, now=now)
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
    _require_manager(by, engagement)
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be aware")
    if starts_at <= now:
        raise ValidationError({"starts_at": _("Schedule the meeting at a time still to come.")})
    plan = GovernancePlan.objects.filter(engagement=engagement).first()
    zone_name = plan.time_zone if plan else settings.TIME_ZONE
    local = starts_at.astimezone(_zone(zone_name))
    with translation.override(plan.language if plan else settings.LANGUAGE_CODE):
        if cadence is not None:
            series = _series_from_cadence(
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
    from .actions import owner_choices

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
    from .actions import owner_choices

    series = MeetingSeries.objects.select_for_update(of=("self",)).select_related("engagement").get(pk=series.pk)
    _require_manager(by, series.engagement)
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
    _require_manager(by, participant.series.engagement)
    participant.delete()
