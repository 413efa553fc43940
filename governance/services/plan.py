"""The governance plan: applying cadences to an engagement, generating meetings for a rolling horizon, editing a
series (future meetings only), moving, cancelling and adding single meetings.

Meetings are rows generated up to ``GOVERNANCE_HORIZON_WEEKS`` ahead; a periodic tick (``meetings_top_up``)
generates on as time passes, idempotently: ``(series, original_start)`` is unique and each series remembers how
far it is generated (``generated_until``), so a doubled or lost tick neither duplicates nor skips a meeting.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from engagements import policy
from engagements.models import Engagement, EngagementMember, Level, Phase, Side, Stakeholder
from engagements.selectors import client_language

from .. import recurrence
from ..models import (
    CadenceKind,
    CadenceTemplate,
    ClientAudience,
    Frequency,
    GovernancePlan,
    Meeting,
    MeetingSeries,
    SeriesAgendaSection,
    SeriesParticipant,
    VendorAudience,
)
from . import lifecycle

logger = logging.getLogger(__name__)


def horizon() -> timedelta:
    return timedelta(weeks=settings.GOVERNANCE_HORIZON_WEEKS)


# --- Participants ---------------------------------------------------------------------------------------------


def _vendor_people(engagement, audience) -> list:
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
    """The client's language (``ClientProfile.language``): its meetings and agendas are content made for it."""
    return client_language(engagement.client_id)


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
    policy.require_manage(by, engagement)
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.phase == Phase.CLOSED:
        raise ValidationError(_("The engagement is closed."))
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the portal's languages.")})
    try:
        recurrence.local_to_utc(starts_on, time(12), zone_of(time_zone))
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
            if first is None or first < timezone.localdate(now, zone_of(time_zone)):
                what = _("the kickoff date") if cadence.kind == CadenceKind.KICKOFF else _("the handoff meeting date")
                result.skipped.append(
                    _("%(name)s is not scheduled: set %(what)s first, or add it as a single meeting.")
                    % {"name": cadence.name, "what": what}
                )
                continue
        result.created.append(series_from_cadence(engagement, cadence, plan=plan, starts_on=first, now=now))
    series_generate_many(result.created, now=now)
    return result


def _group_running(engagement, cadence, groups) -> bool:
    keys = [c.key for c in groups.get(cadence.alternative_group, [])]
    return MeetingSeries.objects.filter(engagement=engagement, cadence_key__in=keys).running().exists()


def zone_of(name):
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError) as error:
        raise ValueError(name) from error


def series_from_cadence(engagement, cadence, *, plan, starts_on, now) -> MeetingSeries:
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


def generate_until(series, now) -> date:
    until = (now + horizon()).astimezone(series.zone).date()
    return min(until, series.ended_on) if series.ended_on else until


def new_meeting(series, start, now) -> Meeting:
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
        last = generate_until(series, now) if until is None else min(until, series.ended_on or until)
        start = series.generated_until + timedelta(days=1) if series.generated_until else series.starts_on
        if last < start:
            continue
        for at in recurrence.occurrences(
            series.rule, anchor=series.starts_on, at=series.start_time, zone=series.zone, start=start, until=last
        ):
            # Today's slot may be over already when a series starts today: a meeting is never made in the past.
            if at > now:
                rows.append(new_meeting(series, at, now))
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
