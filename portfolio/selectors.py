"""Reads that combine the apps: the dashboards' engagement list and the engagement page. Each asks the apps'
own selectors and health's registry, in a fixed number of queries whatever the amount of data."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, F, IntegerField, Q, When
from django.utils import timezone

from checklists import selectors as checklist_selectors
from engagements import selectors as engagement_selectors
from engagements.health import HEALTH_BADGE, Health, health_of, with_health
from engagements.models import Engagement, Phase

SORTS = {
    "client": ("client__name", "name"),
    "kickoff": (F("kickoff_on").asc(nulls_last=True), "client__name"),
    "overdue": ("-overdue_items", "client__name"),
    "next_due": (F("next_due_on").asc(nulls_last=True), "client__name"),
}


def engagement_list_for_dashboard(*, user, today: date | None = None, phase="", health="", query="", sort=""):
    """The staff dashboard: engagements with phase, progress, health (and every health signal), overdue count and
    next due item. Staff see the engagements they work on (``visible_to``); portfolio roles see everyone's.
    Closed engagements are left out unless asked for by ``phase``."""
    today = today or timezone.localdate()
    queryset = Engagement.objects.visible_to(user).select_related("client", "csm", "pm", "deputy_pm")
    queryset = queryset.filter(phase=phase) if phase in Phase.values else queryset.active()
    if query:
        queryset = queryset.filter(Q(name__icontains=query) | Q(client__name__icontains=query))
    queryset = with_health(checklist_selectors.with_progress(queryset, today=today), today=today)
    if health in Health.values:
        queryset = queryset.filter(health=health)
    # Worst first: health values do not sort alphabetically by severity, so rank them.
    if sort == "health":
        rank = Case(
            When(health=Health.OFF_TRACK, then=0),
            When(health=Health.AT_RISK, then=1),
            default=2,
            output_field=IntegerField(),
        )
        return queryset.order_by(rank, "client__name", "name")
    return queryset.order_by(*SORTS.get(sort, SORTS["client"]))


def decorate(engagement, *, today: date):
    """Python-side figures for an annotated engagement (no queries)."""
    engagement.progress = round(100 * engagement.items_done / engagement.items_total) if engagement.items_total else 0
    engagement.days_since_kickoff = (today - engagement.kickoff_on).days if engagement.kickoff_on else None
    # A planned kickoff reads "in N days", not as a negative age.
    engagement.days_to_kickoff = -engagement.days_since_kickoff if (engagement.days_since_kickoff or 0) < 0 else None
    engagement.health_badge = HEALTH_BADGE[Health(engagement.health)]
    engagement.health_label = Health(engagement.health).label
    return engagement


@dataclass
class EngagementPage:
    """Everything the engagement page (staff) or the portal's engagement page shows, from each app."""

    engagement: Engagement
    checklist: checklist_selectors.ChecklistOverview
    records: engagement_selectors.EngagementRecords
    health: Health
    health_badge: str
    signals: dict
    budget: dict


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
    return EngagementPage(
        engagement=engagement,
        checklist=checklist,
        records=engagement_selectors.engagement_records(engagement=engagement, user=user, today=today),
        health=health,
        health_badge=HEALTH_BADGE[health],
        signals=signals,
        budget=_budget(engagement, checklist),
    )
