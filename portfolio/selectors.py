"""Reads that combine the apps: the dashboards' engagement list and the engagement page. Each asks the apps'
own selectors and health's registry, in a fixed number of queries whatever the amount of data."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from checklists import selectors as checklist_selectors
from engagements import selectors as engagement_selectors
from engagements.health import HEALTH_BADGE, Health, health_of, health_reasons, with_health
from engagements.models import Engagement, Phase
from escalations import selectors as escalation_selectors
from escalations.models.flags import FINAL_STATUSES
from governance import selectors as governance_selectors

from . import figures, timeline

SORTS = figures.SORTS
# Days ahead the director's portfolio lists go-lives for, and back for rejections and low scores.
GO_LIVE_DAYS = 30
RECENT_DAYS = 30
LOW_SCORE = 3


@dataclass
class DashboardFilters:
    phase: str = ""
    health: str = ""
    query: str = ""
    sort: str = "risk"
    csm: int | None = None
    pm: int | None = None

    @classmethod
    def from_query(cls, params) -> "DashboardFilters":
        def person(name):
            value = params.get(name, "")
            return int(value) if value.isdigit() else None

        sort = params.get("sort", "risk")
        return cls(
            phase=params.get("phase", "") if params.get("phase", "") in Phase.values else "",
            health=params.get("health", "") if params.get("health", "") in Health.values else "",
            query=params.get("q", "").strip()[:100],
            sort=sort if sort in SORTS else "risk",
            csm=person("csm"),
            pm=person("pm"),
        )

    def as_query(self, **changes) -> str:
        """The filters as a query string (for page links and the CSV export), with ``changes`` applied."""
        values = {"q": self.query, "phase": self.phase, "health": self.health, "sort": self.sort}
        values |= {"csm": self.csm or "", "pm": self.pm or ""}
        values |= changes
        return urlencode({key: value for key, value in values.items() if value not in ("", None)})

    @property
    def without_people(self) -> str:
        return self.as_query(csm="", pm="")


def engagement_list_for_dashboard(*, user, filters: DashboardFilters, today: date | None = None) -> figures.Rows:
    """The dashboard's rows (``figures.Figures``, lazily: a page reads only its own): the engagements the user
    sees (all for the portfolio roles), closed ones only when asked for by phase, filtered and sorted (by risk
    unless asked otherwise) in SQL over the maintained figures."""
    return figures.rows_for(
        user=user,
        phase=filters.phase,
        health=filters.health,
        csm=filters.csm,
        pm=filters.pm,
        query=filters.query,
        sort=filters.sort,
    )


@dataclass
class Portfolio:
    """The director's overview above the list: totals, go-lives soon, recent rejections and low scores."""

    by_health: list  # (value, label, badge, count)
    by_phase: list  # (value, label, count)
    go_lives: list
    rejections: list
    low_scores: list


def portfolio_overview(*, user, today: date | None = None, current: bool = True) -> Portfolio:
    """Four queries: the counts by phase and health, the go-lives soon (both over the maintained figures), the
    recent rejections and low scores."""
    today = today or timezone.localdate()
    # ``current=False``: the page made the figures current already (``engagement_list_for_dashboard``).
    engagements = figures.engagements_for(user=user, current=current)
    health_counts, phase_counts = Counter(), Counter()
    for phase, health, n in engagements.order_by().values_list("phase", "figures__health").annotate(n=Count("pk")):
        phase_counts[phase] += n
        if phase != Phase.CLOSED:
            health_counts[health or Health.ON_TRACK.value] += n
    soon = today + timedelta(days=GO_LIVE_DAYS)
    go_lives = figures.rows_for(user=user, sort="go_live", current=False)
    go_lives.queryset = go_lives.queryset.exclude(phase=Phase.LIVE).filter(
        target_go_live_on__gte=today, target_go_live_on__lte=soon
    )
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    return Portfolio(
        by_health=[(h.value, h.label, HEALTH_BADGE[h], health_counts.get(h.value, 0)) for h in Health],
        by_phase=[(p.value, p.label, phase_counts.get(p.value, 0)) for p in Phase],
        go_lives=list(go_lives),
        rejections=list(checklist_selectors.recent_rejections(user=user, since=since)),
        low_scores=list(checklist_selectors.low_scores(user=user, since=since, at_most=LOW_SCORE)),
    )


class DashboardRow:
    """A row as a page shows it: the shared (cached) figures, and what depends on the day and the language."""

    def __init__(self, row: figures.Figures, *, today: date):
        self.figures = row
        self.days_since_kickoff = (today - row.kickoff_on).days if row.kickoff_on else None
        # A planned kickoff reads "in N days", not as a negative age.
        self.days_to_kickoff = -self.days_since_kickoff if (self.days_since_kickoff or 0) < 0 else None
        self.health_badge = HEALTH_BADGE[Health(row.health)]
        self.reasons = row.reasons

    def __getattr__(self, name):
        return getattr(self.figures, name)


def decorate(rows, *, today: date) -> list[DashboardRow]:
    """Python-side figures of the rows a page shows (no queries)."""
    return [DashboardRow(row, today=today) for row in rows]


def portal_projects(*, user, today: date | None = None) -> list:
    """The client's projects for their home: progress, the next step on their side and the target go-live, in one
    query; the closed ones last."""
    today = today or timezone.localdate()
    queryset = Engagement.objects.visible_to(user).select_related("csm")
    queryset = checklist_selectors.with_next_client_step(checklist_selectors.with_progress(queryset, today=today))
    projects = list(with_health(queryset, today=today).order_by("name"))
    for project in projects:
        project.progress = round(100 * project.items_done / project.items_total) if project.items_total else 0
        project.next_client_overdue = bool(project.next_client_due_on and project.next_client_due_on < today)
        project.client_health, project.client_health_badge = CLIENT_HEALTH[project.health]
    return sorted(projects, key=lambda p: (p.phase == Phase.CLOSED, p.name.lower()))


# Health as the client reads it: how the project stands, not the internal reasons (overdue counts, silence, budget).
CLIENT_HEALTH = {
    Health.ON_TRACK: (gettext_lazy("On track"), "success"),
    Health.AT_RISK: (gettext_lazy("Needs attention"), "warning"),
    Health.OFF_TRACK: (gettext_lazy("Behind plan: we are working on it with you"), "danger"),
}
# How many of each list the portal home shows before it links to the full page.
HOME_SHOWS = 5


# How many requests the home's "Waiting on you" shows before it links to *My tasks* (which lists them all).
WAITING_SHOWS = 8


@dataclass
class PortalHome:
    projects: list
    # Everything waiting on the client (``checklists.selectors.waiting_on_you``, the list *My tasks* shows too).
    waiting: checklist_selectors.WaitingOnYou
    meetings: list
    flags: list  # open red flags, with their level

    @property
    def waiting_shown(self) -> list:
        return self.waiting.entries[:WAITING_SHOWS]


def portal_home(*, user, today: date | None = None, now=None) -> PortalHome:
    """The client's home: their projects, what is waiting on them, the next meetings and the open red flags, in a
    fixed number of queries. Each project's count of open requests is counted from the same list the page shows."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    waiting = checklist_selectors.waiting_on_you(user=user, today=today)
    upcoming, _past = governance_selectors.client_meetings(user=user, now=now)
    flags = list(escalation_selectors.client_flags(user=user).exclude(status__in=FINAL_STATUSES)[:HOME_SHOWS])
    projects = portal_projects(user=user, today=today)
    for project in projects:
        project.waiting_count = waiting.count_for(project.pk)
    return PortalHome(projects=projects, waiting=waiting, meetings=upcoming[:3], flags=flags)


@dataclass
class PortalProject:
    """The portal's project page: the engagement, its timeline, the vendor team and the client's own people."""

    engagement: Engagement
    timeline: timeline.Timeline | None
    vendor_team: list  # (role label, user) pairs: CSM, PM, deputy PM, then the members
    colleagues: list
    stakeholders: list  # the client's own people on the stakeholder map, as the client may read them
    links: list  # the resource links marked for the client (scrum board, documentation, environments)


def portal_project(*, engagement: Engagement, user, today: date | None = None) -> PortalProject:
    """``engagement`` as its client sees it on the project page, in a fixed number of queries (``engagement`` comes
    from ``engagement_list``, with its CSM, PM and deputy PM joined)."""
    today = today or timezone.localdate()
    page = engagement_page(engagement=engagement, user=user, today=today)
    team = [
        (label, person)
        for label, person in (
            (_("Customer success manager"), engagement.csm),
            (_("Project manager"), engagement.pm),
            (_("Deputy project manager"), engagement.deputy_pm),
        )
        if person is not None
    ]
    team += [
        (member.role or _("Team member"), member.user)
        for member in engagement.members.select_related("user").filter(user__is_active=True).order_by("pk")
    ]
    colleagues = list(
        User.objects.filter(organization_id=engagement.client_id, is_active=True).order_by("full_name", "email")
    )
    return PortalProject(
        engagement=engagement,
        timeline=page.timeline,
        vendor_team=team,
        colleagues=colleagues,
        stakeholders=page.records.stakeholders,
        links=page.records.resource_links,
    )


@dataclass
class EngagementPage:
    """Everything the engagement page (staff) or the portal's engagement page shows, from each app."""

    engagement: Engagement
    checklist: checklist_selectors.ChecklistOverview
    records: engagement_selectors.EngagementRecords
    health: Health
    health_badge: str
    health_reasons: list
    signals: dict
    budget: dict
    timeline: timeline.Timeline | None


def _budget(engagement: Engagement, checklist) -> dict:
    actual_days, actual_amount = checklist.actual_days, checklist.actual_amount
    return {
        "planned_days": engagement.planned_effort_days,
        "actual_days": actual_days,
        "planned_amount": engagement.planned_amount,
        "actual_amount": actual_amount,
        "burn_days": round(100 * actual_days / engagement.planned_effort_days)
        if engagement.planned_effort_days
        else None,
        "burn_amount": round(100 * actual_amount / engagement.planned_amount) if engagement.planned_amount else None,
    }


def engagement_page(*, engagement: Engagement, user, today: date | None = None) -> EngagementPage:
    """The engagement page as ``user`` may see it (staff or portal): each app's part comes through its querysets'
    ``for_viewer(user)``, so a client never loads what is vendor-internal."""
    today = today or timezone.localdate()
    checklist = checklist_selectors.checklist_overview(engagement=engagement, user=user, today=today)
    health, signals = health_of(engagement, today=today)
    records = engagement_selectors.engagement_records(engagement=engagement, user=user, today=today)
    return EngagementPage(
        engagement=engagement,
        checklist=checklist,
        records=records,
        health=health,
        health_badge=HEALTH_BADGE[health],
        health_reasons=health_reasons(**signals),
        signals=signals,
        budget=_budget(engagement, checklist),
        timeline=timeline.build(
            engagement=engagement,
            stages=checklist.stages,
            milestones=records.milestones,
            acceptances=checklist.acceptances,
            today=today,
        ),
    )
