"""Reads for governance pages. Each fetches what its page shows in a fixed number of queries, whatever the
number of series, meetings, agenda items, outcomes or checklist items."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from checklists.task_sources import ClientTask
from engagements import policy
from engagements import selectors as engagement_selectors
from receipts.selectors import with_receipt

from . import permissions
from .models import (
    ActionItem,
    AgendaItem,
    CalendarFeed,
    GovernancePlan,
    Meeting,
    MeetingAttendee,
    MeetingSeries,
    MeetingStatus,
    MinutesAcknowledgement,
    MinutesComment,
    MinutesVersion,
    Outcome,
    SeriesAgendaSection,
    SeriesParticipant,
)
from .receipts import KIND as RECEIPT_KIND
from .services import agenda as agenda_services
from .services import feeds as feed_services
from .services import plan as plan_services

HEALTH_WINDOW = timedelta(days=90)
UPCOMING_ON_PAGE = 30


# --- Meeting health ----------------------------------------------------------------------------------------------


@dataclass
class MeetingHealth:
    """Meetings that ended in the last 90 days (not cancelled), how many were held with minutes shared, how many
    were missed, and how many were held but still have no minutes after their two working days."""

    scheduled: int = 0
    held_with_minutes: int = 0
    missed: int = 0
    minutes_late: int = 0

    @property
    def share(self) -> int | None:
        return round(100 * self.held_with_minutes / self.scheduled) if self.scheduled else None


def meeting_health(*, engagement_ids, now: datetime) -> dict[int, MeetingHealth]:
    """Per engagement, in one query."""
    rows = (
        Meeting.objects.filter(
            engagement_id__in=list(engagement_ids), ends_at__gte=now - HEALTH_WINDOW, ends_at__lte=now
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .values("engagement_id")
        .annotate(
            scheduled=Count("pk"),
            held_with_minutes=Count("pk", filter=Q(status=MeetingStatus.HELD, minutes_version__gt=0)),
            missed=Count("pk", filter=Q(status=MeetingStatus.MISSED)),
            # A missed meeting has no minutes either; it counts once, as missed.
            minutes_late=Count(
                "pk", filter=Q(minutes_late_at__isnull=False, minutes_version=0) & ~Q(status=MeetingStatus.MISSED)
            ),
        )
    )
    result = {pk: MeetingHealth() for pk in engagement_ids}
    for row in rows:
        engagement_id = row.pop("engagement_id")
        result[engagement_id] = MeetingHealth(**row)
    return result


# --- The engagement's governance page ----------------------------------------------------------------------------


@dataclass
class GovernancePage:
    engagement: object
    plan: GovernancePlan | None
    series: list
    upcoming: list
    past: list
    health: MeetingHealth
    feed: CalendarFeed | None = None
    feed_token: str = ""
    promises: list = field(default_factory=list)
    can_manage: bool = False
    cadences: list = field(default_factory=list)
    cadence_groups: dict = field(default_factory=dict)
    language: str = ""


def governance_page(*, engagement, user, now: datetime | None = None) -> GovernancePage:
    now = now or timezone.now()
    meetings = Meeting.objects.for_viewer(user).filter(engagement=engagement).select_related("series", "owner")
    series = list(
        MeetingSeries.objects.for_viewer(user)
        .filter(engagement=engagement)
        .select_related("owner")
        .prefetch_related(Prefetch("participants", queryset=SeriesParticipant.objects.select_related("user")))
        .order_by("ended_on", "starts_on", "pk")
    )
    upcoming = list(meetings.filter(ends_at__gte=now).order_by("starts_at", "pk")[:UPCOMING_ON_PAGE])
    past = list(meetings.filter(ends_at__lt=now, ends_at__gte=now - HEALTH_WINDOW).order_by("-starts_at", "-pk"))
    next_of = {}
    for meeting in upcoming:
        if meeting.status == MeetingStatus.SCHEDULED:
            next_of.setdefault(meeting.series_id, meeting)
    for entry in series:
        entry.next_meeting = next_of.get(entry.pk)
    feed = CalendarFeed.objects.active().filter(owner=user, engagement=engagement).first()
    page = GovernancePage(
        engagement=engagement,
        plan=GovernancePlan.objects.filter(engagement=engagement).first() if policy.is_staff(user) else None,
        series=series,
        upcoming=upcoming,
        past=past,
        health=meeting_health(engagement_ids=[engagement.pk], now=now)[engagement.pk],
        feed=feed,
        feed_token=feed_services.feed_token(feed) if feed else "",
        promises=engagement_selectors.promise_ledger(engagement=engagement, user=user, now=now),
        can_manage=policy.may_manage(user, engagement),
    )
    if page.can_manage:
        page.language = page.plan.language if page.plan else plan_services.default_language(engagement)
        page.cadences, page.cadence_groups = plan_services.cadence_choices(page.language)
    return page


# --- A meeting page ------------------------------------------------------------------------------------------------


@dataclass
class AgendaSection:
    item: AgendaItem | None
    title: str
    guidance: str = ""
    entries: list = field(default_factory=list)


@dataclass
class MeetingPage:
    meeting: Meeting
    sections: list
    # True while the agenda is not prepared: sections and live entries shown, nothing editable yet.
    preview: bool
    attendees: list
    versions: list
    comments: list
    loose_outcomes: list = field(default_factory=list)
    previous: Meeting | None = None
    following: Meeting | None = None
    can_run: bool = False
    can_comment: bool = False


def meeting_detail():
    """Meetings with what their pages show about them; scope with ``visible_to``/``managed_by``."""
    return Meeting.objects.select_related("series", "engagement__client", "engagement__csm", "owner")


def _agenda_rows(meeting, user) -> list[AgendaSection]:
    outcomes = Outcome.objects.for_viewer(user).select_related("owner", "completed_by").order_by("created_at", "pk")
    rows = list(
        AgendaItem.objects.for_viewer(user)
        .filter(meeting=meeting)
        .select_related("action_item__owner")
        .prefetch_related(Prefetch("outcomes", queryset=outcomes))
    )
    sections = []
    by_parent = {}
    for row in rows:
        by_parent.setdefault(row.parent_id, []).append(row)
    for row in by_parent.get(None, []):
        sections.append(
            AgendaSection(item=row, title=row.title, guidance=row.guidance, entries=by_parent.get(row.pk, []))
        )
    return sections


def _preview(meeting, now) -> list[AgendaSection]:
    """The agenda as it would be prepared now: the series' sections with the live entries under them."""
    templates = list(SeriesAgendaSection.objects.filter(series_id=meeting.series_id))
    sections = [AgendaSection(item=None, title=s.title, guidance=s.guidance) for s in templates]
    by_source = {s.live_source: section for s, section in zip(templates, sections, strict=True) if s.live_source}
    for source, entries in agenda_services.live_entries(meeting, now=now):
        if not entries:
            continue
        section = by_source.get(source.key)
        if section is None:
            section = AgendaSection(item=None, title=str(source.label))
            sections.append(section)
        section.entries = entries
    return sections


def meeting_page(*, meeting: Meeting, user, now: datetime | None = None) -> MeetingPage:
    now = now or timezone.now()
    preview = meeting.agenda_prepared_at is None
    if preview and meeting.status == MeetingStatus.CANCELLED:
        sections = []
    else:
        sections = _preview(meeting, now) if preview else _agenda_rows(meeting, user)
    neighbours = Meeting.objects.for_viewer(user).filter(series_id=meeting.series_id).exclude(pk=meeting.pk)
    loose = []
    if not preview:
        loose = list(
            Outcome.objects.for_viewer(user)
            .filter(meeting=meeting, agenda_item__isnull=True)
            .select_related("owner", "completed_by")
        )
    return MeetingPage(
        meeting=meeting,
        sections=sections,
        preview=preview,
        attendees=list(MeetingAttendee.objects.filter(meeting=meeting).select_related("user")),
        versions=list(
            MinutesVersion.objects.filter(meeting=meeting)
            .select_related("published_by")
            .prefetch_related(Prefetch("acknowledgements", queryset=acknowledgements_with_receipts()))
            .order_by("-number")
        ),
        comments=list(MinutesComment.objects.filter(meeting=meeting).select_related("author", "version")),
        loose_outcomes=loose,
        previous=neighbours.filter(starts_at__lt=meeting.starts_at).order_by("-starts_at").first(),
        following=neighbours.filter(starts_at__gt=meeting.starts_at).order_by("starts_at").first(),
        can_run=permissions.may_run_meeting(user, meeting),
        can_comment=permissions.may_comment_minutes(user, meeting),
    )


# --- Lists ---------------------------------------------------------------------------------------------------------


def upcoming_meetings(*, user, now: datetime | None = None, limit: int = 50) -> list[Meeting]:
    """The meetings ``user`` takes part in or owns, still to come (cancelled ones shown as such)."""
    now = now or timezone.now()
    return list(
        Meeting.objects.visible_to(user)
        .filter(feed_services.meetings_taking_part(user), ends_at__gte=now)
        .exclude(status=MeetingStatus.CANCELLED, starts_at__gt=now + timedelta(weeks=2))
        .select_related("engagement__client", "series", "owner")
        .order_by("starts_at", "pk")[:limit]
    )


def client_meetings(*, user, now: datetime | None = None):
    """The client's meetings: upcoming ones, and the past 90 days' with their minutes."""
    now = now or timezone.now()
    meetings = (
        Meeting.objects.visible_to(user)
        .filter(starts_at__gte=now - HEALTH_WINDOW)
        .select_related("engagement", "series", "owner")
    )
    upcoming = list(meetings.filter(ends_at__gte=now).order_by("starts_at", "pk")[:UPCOMING_ON_PAGE])
    past = list(meetings.filter(ends_at__lt=now).order_by("-starts_at", "-pk"))
    return upcoming, past


def client_action_items(*, user):
    """The client's action items from shared minutes: open ones first, by due date."""
    return (
        ActionItem.objects.visible_to(user)
        .client_side()
        .select_related("meeting__engagement", "owner", "completed_by")
        .order_by("-status", "due_on", "pk")
    )


def feeds_of(user) -> list[CalendarFeed]:
    return list(CalendarFeed.objects.of(user).active().select_related("engagement"))


# --- Promises ------------------------------------------------------------------------------------------------------


def meeting_promises(*, meeting, user):
    """The promises made in ``meeting`` that ``user`` may read (engagements' promise ledger)."""
    return engagement_selectors.promises_made_in(meeting, user=user)


def client_tasks_for_portal(*, user, today) -> list:
    """The client's action items as *My tasks* lists them (checklists' ``task_sources``): open ones and those done
    in the last 90 days, each linking to the action items page where it is completed."""
    recent = timezone.now() - HEALTH_WINDOW
    tasks = []
    for item in client_action_items(user=user).filter(Q(status="open") | Q(completed_at__gte=recent)):
        if item.status == "dropped":
            continue
        held_on = date_format(timezone.localtime(item.meeting.starts_at), "SHORT_DATE_FORMAT")
        tasks.append(
            ClientTask(
                title=item.text,
                project=item.meeting.engagement.name,
                url=reverse("portal:action_items") + f"#action-{item.pk}",
                source=_("Action item from %(meeting)s of %(date)s") % {"meeting": item.meeting.title, "date": held_on},
                due_on=item.due_on,
                owner=str(item.owner) if item.owner else "",
                done=item.status == "done",
                overdue=item.is_overdue(today),
                engagement_id=item.meeting.engagement_id,
            )
        )
    return tasks


def client_minutes_to_acknowledge(*, user, today) -> list:
    """The shared minutes ``user`` is asked to acknowledge (``checklists.task_sources``): the latest version of each
    client meeting's minutes on the engagements they decide on (``permissions.may_acknowledge_minutes``), not yet
    acknowledged by them; one query."""
    versions = (
        MinutesVersion.objects.visible_to(user)
        .filter(
            meeting__is_internal=False,
            meeting__engagement__in=policy.engagements_decided_by(user),
            number=F("meeting__minutes_version"),
        )
        .exclude(Exists(MinutesAcknowledgement.objects.filter(version=OuterRef("pk"), user=user)))
        .select_related("meeting__engagement")
        .order_by("published_at", "pk")
    )
    tasks = []
    for version in versions:
        meeting = version.meeting
        held_on = date_format(timezone.localtime(meeting.starts_at), "SHORT_DATE_FORMAT")
        tasks.append(
            ClientTask(
                title=_("Acknowledge the minutes of %(meeting)s of %(date)s")
                % {"meeting": meeting.title, "date": held_on},
                project=meeting.engagement.name,
                url=reverse("portal:meeting", args=[meeting.pk]) + "#minutes",
                source=_("Minutes to acknowledge"),
                engagement_id=meeting.engagement_id,
            )
        )
    return tasks


def acknowledgements_with_receipts():
    """Acknowledgements of minutes with their person and whether each has its receipt (one query, however many)."""
    return with_receipt(MinutesAcknowledgement.objects.select_related("user"), RECEIPT_KIND)
