"""Reads for engagements. Each starts from ``visible_to`` and fetches what its page shows in a
fixed number of queries, whatever the number of engagements, items or comments."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User

from . import policy
from .health import HEALTH_BADGE, Health, engagement_health, health_expression
from .models import (
    CLOSED_ITEM_STATUSES,
    ChecklistItem,
    ChecklistStage,
    ClientProfile,
    Decision,
    Engagement,
    Integration,
    ItemComment,
    ItemEvent,
    ItemStatus,
    Milestone,
    Obligation,
    Phase,
    PmAbsence,
    ResourceLink,
    SatisfactionScore,
    Side,
    StageAcceptance,
    StageActual,
    Stakeholder,
)
from .services import engagement_acting_pm, engagement_people, engagement_warnings


def _count(queryset, group_by):
    """A correlated COUNT(*) subquery (0 when none), grouped by ``group_by``."""
    return Coalesce(
        Subquery(queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def _items_of_outer():
    return ChecklistItem.objects.filter(stage__engagement=OuterRef("pk"))


def stages_past_due_unaccepted(today: date):
    """Stages awaiting the client's acceptance whose every item was due before today."""
    items = ChecklistItem.objects.filter(stage=OuterRef("pk"))
    return ChecklistStage.objects.filter(acceptance_required=True, accepted_at__isnull=True).filter(
        Exists(items), ~Exists(items.filter(Q(due_on__gte=today) | Q(due_on__isnull=True)))
    )


def with_health_signals(queryset, *, today: date):
    """Annotate engagements with progress, overdue count, next due item and health signals.

    Other apps plug in their signals here (open red flags, missed meetings) when they land:
    annotate them and pass them to ``health_expression`` / ``engagement_health``.
    """
    items = _items_of_outer()
    open_items = items.exclude(status__in=CLOSED_ITEM_STATUSES)
    next_due = open_items.filter(due_on__isnull=False).order_by("due_on", "position", "pk")
    return queryset.annotate(
        items_total=_count(items.exclude(status=ItemStatus.NOT_APPLICABLE), "stage__engagement"),
        items_done=_count(items.filter(status=ItemStatus.DONE), "stage__engagement"),
        overdue_count=_count(open_items.filter(due_on__lt=today), "stage__engagement"),
        unaccepted_past_due=_count(stages_past_due_unaccepted(today).filter(engagement=OuterRef("pk")), "engagement"),
        satisfaction=Subquery(
            SatisfactionScore.objects.filter(engagement=OuterRef("pk"), score__isnull=False)
            .order_by("-answered_at")
            .values("score")[:1]
        ),
        next_due_title=Subquery(next_due.values("title")[:1]),
        next_due_on=Subquery(next_due.values("due_on")[:1]),
    ).annotate(
        health=health_expression(
            overdue_items="overdue_count",
            unaccepted_stages_past_due="unaccepted_past_due",
            satisfaction="satisfaction",
        )
    )


SORTS = {
    "client": ("client__name", "name"),
    "kickoff": (F("kickoff_on").asc(nulls_last=True), "client__name"),
    "overdue": ("-overdue_count", "client__name"),
    "next_due": (F("next_due_on").asc(nulls_last=True), "client__name"),
}


def engagement_list_for_dashboard(*, user, today: date | None = None, phase="", health="", query="", sort=""):
    """The staff dashboard: engagements with phase, progress, health, overdue count and next due item.

    Staff see the engagements they work on (``visible_to``); portfolio roles see everyone's.
    Closed engagements are left out unless asked for by ``phase``.
    """
    today = today or timezone.localdate()
    queryset = Engagement.objects.visible_to(user).select_related("client", "csm", "pm", "deputy_pm")
    queryset = queryset.filter(phase=phase) if phase in Phase.values else queryset.active()
    if query:
        queryset = queryset.filter(Q(name__icontains=query) | Q(client__name__icontains=query))
    queryset = with_health_signals(queryset, today=today)
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


def engagement_list_for_portal(*, user):
    return Engagement.objects.visible_to(user).select_related("client", "csm", "pm", "deputy_pm")


def client_profiles():
    """Client profiles with what their pages show; scope with ``visible_to``/``managed_by``."""
    return ClientProfile.objects.select_related("organization", "csm")


def client_list(*, user):
    return client_profiles().visible_to(user).order_by("organization__name")


def client_choices_for_engagement(*, user):
    """Clients a person may open an engagement for (``policy.clients_open_for``): never every client."""
    return policy.clients_open_for(user).order_by("name")


def vendor_people():
    from accounts.models import VENDOR_ROLES

    return User.objects.filter(is_active=True, role__in=VENDOR_ROLES).order_by("full_name")


# --- Engagement page --------------------------------------------------------------------------


@dataclass
class StageView:
    stage: ChecklistStage
    items: list
    done: int = 0
    total: int = 0
    overdue: int = 0
    past_due_unaccepted: bool = False
    # Entries of effort and money spent (staff pages only) and their sums.
    actuals: list = field(default_factory=list)
    actual_days: Decimal = Decimal(0)
    actual_amount: Decimal = Decimal(0)

    @property
    def progress(self):
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class EngagementPage:
    engagement: Engagement
    stages: list
    health: Health
    health_badge: str
    overdue: int
    progress: int
    next_vendor: list
    next_client: list
    stakeholders: list
    warnings: list
    milestones: list
    timeline: list
    acting_pm: User | None
    pm_absent: bool
    budget: dict
    baseline: StageAcceptance | None
    baseline_changes: list
    latest_satisfaction: int | None
    acceptances: list = field(default_factory=list)
    # The latest work-plan decision when it is a rejection: the team sees the reason until the client accepts.
    work_plan_rejection: StageAcceptance | None = None
    obligations: list = field(default_factory=list)
    integrations: list = field(default_factory=list)
    resource_links: list = field(default_factory=list)
    handoff: object = None


def items_prefetch(*, user):
    """A stage's items, each with the number of comments ``user`` may read (a client's count leaves out the
    internal ones, by the comments' own queryset)."""
    comments = ItemComment.objects.for_viewer(user).filter(item=OuterRef("pk"))
    return Prefetch(
        "items",
        queryset=ChecklistItem.objects.select_related("assignee", "evidence_file", "completed_by").annotate(
            comment_count=_count(comments, "item")
        ),
    )


def _stage_views(stages, today):
    views = []
    for stage in stages:
        items = list(stage.items.all())
        actuals = list(stage.actuals.all())
        counted = [i for i in items if i.status != ItemStatus.NOT_APPLICABLE]
        view = StageView(
            stage=stage,
            items=items,
            done=sum(1 for i in counted if i.status == ItemStatus.DONE),
            total=len(counted),
            overdue=sum(1 for i in items if i.is_overdue(today)),
            actuals=actuals,
            actual_days=sum((a.effort_days for a in actuals), start=Decimal(0)),
            actual_amount=sum((a.amount for a in actuals), start=Decimal(0)),
        )
        for item in items:
            item.overdue = item.is_overdue(today)
        dues = [i.due_on for i in items if i.due_on]
        view.past_due_unaccepted = bool(
            stage.acceptance_required
            and not stage.accepted_at
            and items
            and len(dues) == len(items)
            and max(dues) < today
        )
        views.append(view)
    return views


CHANGE_LABELS = {
    "added": _("Added"),
    "removed": _("Removed"),
    "redated": _("Re-dated"),
    "renamed": _("Renamed"),
}


def baseline_changes(baseline: StageAcceptance | None, stages) -> list[dict]:
    """What changed in the work plan since the accepted baseline: items added, removed, re-dated, renamed."""
    if baseline is None:
        return []
    before = {item["id"]: item for stage in baseline.snapshot.get("stages", []) for item in stage["items"]}
    now = {item.pk: item for stage in stages for item in stage.items.all()}
    changes = []
    for pk, item in now.items():
        old = before.get(pk)
        if old is None:
            changes.append({"kind": "added", "label": CHANGE_LABELS["added"], "title": item.title, "detail": ""})
            continue
        due = item.due_on.isoformat() if item.due_on else None
        if old["due_on"] != due:
            changes.append(
                {
                    "kind": "redated",
                    "label": CHANGE_LABELS["redated"],
                    "title": item.title,
                    "detail": f"{old['due_on']} → {due}",
                }
            )
        if old["title"] != item.title:
            changes.append(
                {"kind": "renamed", "label": CHANGE_LABELS["renamed"], "title": item.title, "detail": old["title"]}
            )
    for pk, old in before.items():
        if pk not in now:
            changes.append({"kind": "removed", "label": CHANGE_LABELS["removed"], "title": old["title"], "detail": ""})
    return changes


def engagement_page(*, engagement: Engagement, user, today: date | None = None) -> EngagementPage:
    """Everything the engagement page shows ``user`` (staff page or portal): each record comes through its
    queryset's ``for_viewer(user)``, so a client never loads what is vendor-internal (a ``none()`` queryset
    costs no query)."""
    today = today or timezone.localdate()
    stages = list(
        ChecklistStage.objects.filter(engagement=engagement).prefetch_related(
            items_prefetch(user=user),
            # The stage's history of client decisions (with the reasons of rejections).
            Prefetch("acceptances", queryset=StageAcceptance.objects.select_related("decided_by")),
            Prefetch("actuals", queryset=StageActual.objects.for_viewer(user).select_related("recorded_by")),
        )
    )
    stage_views = _stage_views(stages, today)
    all_items = [item for view in stage_views for item in view.items]
    open_items = sorted(
        (i for i in all_items if not i.is_closed), key=lambda i: (i.due_on or date.max, i.position, i.pk)
    )
    done = sum(v.done for v in stage_views)
    total = sum(v.total for v in stage_views)
    overdue = sum(v.overdue for v in stage_views)
    stakeholders = list(Stakeholder.objects.for_viewer(user).filter(engagement=engagement).select_related("user"))
    scores = list(
        SatisfactionScore.objects.filter(engagement=engagement, score__isnull=False).order_by("-answered_at")[:1]
    )
    latest_satisfaction = scores[0].score if scores else None
    health = engagement_health(
        overdue_items=overdue,
        unaccepted_stages_past_due=sum(1 for v in stage_views if v.past_due_unaccepted),
        satisfaction=latest_satisfaction,
    )
    milestones = list(Milestone.objects.for_viewer(user).filter(engagement=engagement))
    timeline = []
    if engagement.kickoff_on:
        end = engagement.kickoff_on + timedelta(days=30)
        for milestone in milestones:
            if engagement.kickoff_on <= milestone.due_on <= end:
                timeline.append({"day": (milestone.due_on - engagement.kickoff_on).days, "milestone": milestone})
    absences = list(PmAbsence.objects.filter(user_id=engagement.pm_id).covering(today)) if engagement.pm_id else []
    acting_pm = engagement_acting_pm(engagement, on=today, absences=absences)
    recent = 10
    acceptances = list(
        StageAcceptance.objects.filter(engagement=engagement).select_related("stage", "decided_by")[:recent]
    )
    # The recent decisions answer most pages; only a long history needs a query for older ones.
    complete = len(acceptances) < recent
    work_plan = StageAcceptance.objects.filter(engagement=engagement, stage__isnull=True).select_related("decided_by")
    work_plan_decision = next((a for a in acceptances if a.is_work_plan), None)
    if work_plan_decision is None and not complete:
        work_plan_decision = work_plan.first()
    baseline = next((a for a in acceptances if a.is_work_plan and a.decision == Decision.ACCEPTED), None)
    if baseline is None and not complete:
        baseline = work_plan.filter(decision=Decision.ACCEPTED).first()
    actual_days = sum((v.actual_days for v in stage_views), start=Decimal(0))
    actual_amount = sum((v.actual_amount for v in stage_views), start=Decimal(0))
    budget = {
        "planned_days": engagement.planned_effort_days,
        "actual_days": actual_days,
        "planned_amount": engagement.planned_amount,
        "actual_amount": actual_amount,
        "burn_days": round(100 * actual_days / engagement.planned_effort_days)
        if engagement.planned_effort_days
        else None,
        "burn_amount": round(100 * actual_amount / engagement.planned_amount) if engagement.planned_amount else None,
    }
    page = EngagementPage(
        engagement=engagement,
        stages=stage_views,
        health=health,
        health_badge=HEALTH_BADGE[health],
        overdue=overdue,
        progress=round(100 * done / total) if total else 0,
        next_vendor=[i for i in open_items if i.owner_side == Side.VENDOR][:5],
        next_client=[i for i in open_items if i.owner_side == Side.CLIENT][:5],
        stakeholders=stakeholders,
        warnings=engagement_warnings(engagement, stakeholders) if policy.is_staff(user) else [],
        milestones=milestones,
        timeline=timeline,
        acting_pm=acting_pm,
        pm_absent=bool(engagement.pm_id and acting_pm and acting_pm.pk != engagement.pm_id),
        budget=budget,
        baseline=baseline,
        baseline_changes=baseline_changes(baseline, stages),
        latest_satisfaction=latest_satisfaction,
        acceptances=acceptances,
        work_plan_rejection=work_plan_decision
        if work_plan_decision is not None and work_plan_decision.decision == Decision.REJECTED
        else None,
    )
    page.obligations = list(Obligation.objects.for_viewer(user).filter(engagement=engagement).select_related("owner"))
    page.integrations = list(Integration.objects.for_viewer(user).filter(engagement=engagement))
    page.resource_links = list(ResourceLink.objects.for_viewer(user).filter(engagement=engagement))
    # Vendor-internal, and already joined to the staff page's engagement.
    page.handoff = getattr(engagement, "handoff", None) if policy.is_staff(user) else None
    return page


def engagement_with_people():
    """Engagements with the people the engagement page shows; scope with ``visible_to``/``managed_by``."""
    return Engagement.objects.select_related(
        "client__client_profile", "csm", "pm", "deputy_pm", "account_executive", "handoff__handed_over_by"
    )


def item_detail(*, user):
    """Items with the comments ``user`` may read (a client never loads internal ones) and their history;
    scope with ``visible_to``/``managed_by``."""
    return ChecklistItem.objects.select_related(
        "stage__engagement__client", "assignee", "evidence_file", "completed_by"
    ).prefetch_related(
        Prefetch("comments", queryset=ItemComment.objects.for_viewer(user).select_related("author")),
        Prefetch("events", queryset=ItemEvent.objects.select_related("actor")),
    )


def assignee_choices(engagement: Engagement):
    """Who an item may be assigned to: the engagement's vendor team and the client's own people
    (the same rule the services enforce)."""
    return engagement_people(engagement).order_by("full_name")


# --- Portal ------------------------------------------------------------------------------------


def client_tasks(*, user, today: date | None = None):
    """The client's tasks: client-side items of their engagements, open ones first by due date."""
    return (
        ChecklistItem.objects.visible_to(user)
        .client_side()
        .select_related("stage__engagement", "assignee", "evidence_file")
        .order_by(F("completed_at").desc(nulls_first=True), F("due_on").asc(nulls_last=True), "pk")
    )


def pending_satisfaction(*, user):
    return SatisfactionScore.objects.visible_to(user).pending().select_related("engagement", "acceptance__stage")


# --- Director ----------------------------------------------------------------------------------


def csm_workload(*, capacity: int | None = None):
    """Active engagements per CSM against the capacity (``ENGAGEMENT_CSM_CAPACITY``)."""
    capacity = capacity or settings.ENGAGEMENT_CSM_CAPACITY
    rows = (
        User.objects.filter(is_active=True, role=Role.CSM)
        .annotate(active=Count("engagements_as_csm", filter=~Q(engagements_as_csm__phase=Phase.CLOSED)))
        .order_by("-active", "full_name")
    )
    result = []
    for csm in rows:
        csm.capacity = capacity
        csm.load = round(100 * csm.active / capacity) if capacity else 0
        csm.over_capacity = csm.active > capacity
        result.append(csm)
    return result


def obligations_open(*, user):
    return Obligation.objects.visible_to(user).filter(status="open").select_related("owner", "engagement")
