"""Reads for checklists. Each fetches what its page shows in a fixed number of queries, whatever the number of
stages, items, comments or decisions; what a client may see comes from each queryset's ``for_viewer(user)``."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from engagements import policy
from engagements.models import Engagement, Side
from receipts.selectors import with_receipt

from . import task_sources
from .models import (
    CLOSED_ITEM_STATUSES,
    MANAGER_ONLY_STATUSES,
    ChecklistItem,
    ChecklistStage,
    ChecklistTemplate,
    Decision,
    ItemComment,
    ItemCompletion,
    ItemEvent,
    ItemStatus,
    PlanForecast,
    SatisfactionScore,
    StageAcceptance,
    StageActual,
)
from .plans import work_plan_acceptable
from .receipts import KIND as RECEIPT_KIND


def count_of(queryset, group_by: str):
    """A correlated COUNT(*) subquery (0 when none), grouped by ``group_by``."""
    return Coalesce(
        Subquery(queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


# --- Per-engagement figures, as SQL over an engagement row (dashboards and health signals) -------------------


def items_of_engagement_row():
    return ChecklistItem.objects.filter(stage__engagement=OuterRef("pk"))


def overdue_items_count(today: date):
    return count_of(items_of_engagement_row().overdue(today), "stage__engagement")


def stages_past_due_unaccepted(today: date):
    """Stages awaiting the client's acceptance whose every item was due before today."""
    items = ChecklistItem.objects.filter(stage=OuterRef("pk"))
    return ChecklistStage.objects.filter(acceptance_required=True, accepted_at__isnull=True).filter(
        Exists(items), ~Exists(items.filter(Q(due_on__gte=today) | Q(due_on__isnull=True)))
    )


def unaccepted_past_due_count(today: date):
    return count_of(stages_past_due_unaccepted(today).filter(engagement=OuterRef("pk")), "engagement")


def latest_satisfaction_score(today: date | None = None):
    return Subquery(
        SatisfactionScore.objects.filter(engagement=OuterRef("pk"), score__isnull=False)
        .order_by("-answered_at")
        .values("score")[:1]
    )


def plan_behind_days(today: date | None = None):
    """Working days the plan's forecast go-live is after the target (``PlanForecast``, kept by the rescheduling)."""
    return Subquery(PlanForecast.objects.filter(engagement=OuterRef("pk")).values("behind_days")[:1])


def open_rejections_count(today: date | None = None):
    """What the client rejected and has not accepted since: reopened stages, and the work plan when its latest
    decision is a rejection."""
    reopened = count_of(
        ChecklistStage.objects.filter(engagement=OuterRef("pk"), reopened_at__isnull=False, accepted_at__isnull=True),
        "engagement",
    )
    plan_rejected = Coalesce(
        Subquery(
            StageAcceptance.objects.filter(engagement=OuterRef("pk"), stage__isnull=True)
            .order_by("-decided_at", "-pk")
            .annotate(rejected=Case(When(decision=Decision.REJECTED, then=1), default=0, output_field=IntegerField()))
            .values("rejected")[:1]
        ),
        Value(0),
        output_field=IntegerField(),
    )
    return reopened + plan_rejected


def with_next_client_step(queryset):
    """Engagements annotated with the client's next open task (title, due date, id): what the portal home shows."""
    step = items_of_engagement_row().open().client_side().order_by(F("due_on").asc(nulls_last=True), "position", "pk")
    return queryset.annotate(
        next_client_title=Subquery(step.values("title")[:1]),
        next_client_due_on=Subquery(step.values("due_on")[:1]),
        next_client_item=Subquery(step.values("pk")[:1]),
        client_open=count_of(items_of_engagement_row().open().client_side(), "stage__engagement"),
    )


def with_progress(queryset, *, today: date):
    """Engagements annotated with their checklist's progress and next due item (for dashboards)."""
    items = items_of_engagement_row()
    next_due = items.open().filter(due_on__isnull=False).order_by("due_on", "position", "pk")
    return queryset.annotate(
        items_total=count_of(items.exclude(status=ItemStatus.NOT_APPLICABLE), "stage__engagement"),
        items_done=count_of(items.filter(status=ItemStatus.DONE), "stage__engagement"),
        next_due_title=Subquery(next_due.values("title")[:1]),
        next_due_on=Subquery(next_due.values("due_on")[:1]),
    )


# --- The checklist of one engagement ---------------------------------------------------------------------------
@dataclass
class StageView:
    stage: ChecklistStage
    items: list
    done: int = 0
    total: int = 0
    overdue: int = 0
    open: int = 0
    past_due_unaccepted: bool = False
    # Entries of effort and money spent (empty for a client: vendor-internal) and their sums.
    actuals: list = field(default_factory=list)
    actual_days: Decimal = Decimal(0)
    actual_amount: Decimal = Decimal(0)

    @property
    def progress(self):
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def decided_with_work_plan(self) -> bool:
        """The stage holds the task standing for the work plan's acceptance: the work plan's decision is its own."""
        return any(item.closes_with == ItemCompletion.WORK_PLAN for item in self.items)

    @property
    def acceptable(self) -> bool:
        """The client may accept the stage now: it needs acceptance, is not accepted, nothing in it is open and it
        is not decided with the work plan (the rules ``acceptance_decide`` enforces)."""
        stage = self.stage
        return bool(
            stage.acceptance_required
            and stage.accepted_at is None
            and self.items
            and not self.open
            and not self.decided_with_work_plan
        )


@dataclass
class ChecklistOverview:
    stages: list
    overdue: int
    progress: int
    next_vendor: list
    next_client: list
    baseline: StageAcceptance | None
    baseline_changes: list
    acceptances: list
    # The latest work-plan decision when it is a rejection: the team sees the reason until the client accepts.
    work_plan_rejection: StageAcceptance | None
    # The latest work-plan decision, and whether the client may accept the plan as it stands now.
    work_plan_decision: StageAcceptance | None
    work_plan_acceptable: bool
    actual_days: Decimal
    actual_amount: Decimal


def items_prefetch(*, user):
    """A stage's items, each with the number of comments ``user`` may read (a client's count leaves out the
    internal ones, by the comments' own queryset)."""
    comments = ItemComment.objects.for_viewer(user).filter(item=OuterRef("pk"))
    return Prefetch(
        "items",
        queryset=ChecklistItem.objects.select_related("assignee", "evidence_file", "completed_by").annotate(
            comment_count=count_of(comments, "item")
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
            open=sum(1 for i in items if not i.is_closed),
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
                    # As dates, for a page that writes them in the reader's language.
                    "before_on": date.fromisoformat(old["due_on"]) if old["due_on"] else None,
                    "after_on": item.due_on,
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


# The recent decisions answer most pages; only a long history needs a query for older ones.
RECENT_DECISIONS = 10


def checklist_overview(*, engagement: Engagement, user, today: date | None = None) -> ChecklistOverview:
    """An engagement's checklist as ``user`` may see it: stages with their items, progress, what is next on each
    side, the client's decisions and the baseline, and (for staff) the actuals."""
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
    open_items = sorted(
        (item for view in stage_views for item in view.items if not item.is_closed),
        key=lambda i: (i.due_on or date.max, i.position, i.pk),
    )
    done = sum(v.done for v in stage_views)
    total = sum(v.total for v in stage_views)
    acceptances = list(
        with_receipt(
            StageAcceptance.objects.filter(engagement=engagement).select_related("stage", "decided_by"), RECEIPT_KIND
        )[:RECENT_DECISIONS]
    )
    complete = len(acceptances) < RECENT_DECISIONS
    work_plan = StageAcceptance.objects.filter(engagement=engagement, stage__isnull=True).select_related("decided_by")
    work_plan_decision = next((a for a in acceptances if a.is_work_plan), None)
    if work_plan_decision is None and not complete:
        work_plan_decision = work_plan.first()
    baseline = next((a for a in acceptances if a.is_work_plan and a.decision == Decision.ACCEPTED), None)
    if baseline is None and not complete:
        baseline = work_plan.filter(decision=Decision.ACCEPTED).first()
    return ChecklistOverview(
        stages=stage_views,
        overdue=sum(v.overdue for v in stage_views),
        progress=round(100 * done / total) if total else 0,
        next_vendor=[i for i in open_items if i.owner_side == Side.VENDOR][:5],
        next_client=[i for i in open_items if i.owner_side == Side.CLIENT][:5],
        baseline=baseline,
        baseline_changes=baseline_changes(baseline, stages),
        acceptances=acceptances,
        work_plan_rejection=work_plan_decision
        if work_plan_decision is not None and work_plan_decision.decision == Decision.REJECTED
        else None,
        actual_days=sum((v.actual_days for v in stage_views), start=Decimal(0)),
        actual_amount=sum((v.actual_amount for v in stage_views), start=Decimal(0)),
        work_plan_decision=work_plan_decision,
        work_plan_acceptable=work_plan_acceptable(stages=stages, latest=work_plan_decision),
    )


def item_statuses(*, can_manage: bool) -> list[tuple[str, str]]:
    """The statuses a person may give an item: taking it out of the plan only for those who manage the engagement
    (``MANAGER_ONLY_STATUSES``, checked again by ``item_update``)."""
    return [(value, label) for value, label in ItemStatus.choices if can_manage or value not in MANAGER_ONLY_STATUSES]


def templates_to_apply() -> list[ChecklistTemplate]:
    """One choice per template, named in the reader's language; applying it copies the client's translation."""
    return ChecklistTemplate.objects.in_language(translation.get_language() or settings.LANGUAGE_CODE)


def item_detail(*, user):
    """Items with the comments ``user`` may read (a client never loads internal ones) and their history;
    scope with ``visible_to``/``managed_by``."""
    return ChecklistItem.objects.select_related(
        "stage__engagement__client", "assignee", "evidence_file", "completed_by"
    ).prefetch_related(
        Prefetch("comments", queryset=ItemComment.objects.for_viewer(user).select_related("author")),
        Prefetch("events", queryset=ItemEvent.objects.select_related("actor")),
    )


# --- Portal ------------------------------------------------------------------------------------


def client_tasks(*, user):
    """The client's tasks: client-side items of their engagements, open ones first by due date."""
    return (
        ChecklistItem.objects.visible_to(user)
        .client_side()
        .select_related("stage__engagement", "assignee", "evidence_file")
        .order_by(F("completed_at").desc(nulls_first=True), F("due_on").asc(nulls_last=True), "pk")
    )


@dataclass
class AwaitingDecision:
    """A stage, or the work plan (``stage`` empty), that waits for the client's acceptance."""

    engagement: Engagement
    stage: ChecklistStage | None = None
    # The work plan was accepted before and has changed since: it is asked for again.
    changed: bool = False


def awaiting_decision(*, user) -> list[AwaitingDecision]:
    """What ``user`` is asked to accept for the client (only who may decide, ``policy.engagements_decided_by``):
    each stage ready for acceptance (all its items closed) and each work plan not accepted as it stands, in a fixed
    number of queries."""
    engagements = policy.engagements_decided_by(user)
    items = ChecklistItem.objects.filter(stage=OuterRef("pk"))
    ready = (
        ChecklistStage.objects.filter(engagement__in=engagements, acceptance_required=True, accepted_at__isnull=True)
        .filter(Exists(items), ~Exists(items.exclude(status__in=CLOSED_ITEM_STATUSES)))
        # The stage holding the work plan's task is decided with the work plan, listed below.
        .exclude(Exists(items.filter(closes_with=ItemCompletion.WORK_PLAN)))
        .select_related("engagement")
        .order_by("engagement__name", "engagement_id", "position", "pk")
    )
    plans = engagements.order_by("name", "pk").prefetch_related(
        Prefetch("stages", queryset=ChecklistStage.objects.prefetch_related("items")),
        Prefetch(
            "acceptances",
            queryset=StageAcceptance.objects.filter(stage__isnull=True).order_by("-decided_at", "-pk"),
            to_attr="work_plan_decisions",
        ),
    )
    waiting = []
    for engagement in plans:
        latest = next(iter(engagement.work_plan_decisions), None)
        if work_plan_acceptable(stages=list(engagement.stages.all()), latest=latest):
            changed = latest is not None and latest.decision == Decision.ACCEPTED
            waiting.append(AwaitingDecision(engagement=engagement, changed=changed))
    return waiting + [AwaitingDecision(engagement=stage.engagement, stage=stage) for stage in ready]


@dataclass
class Waiting:
    """One request to the client, as the portal home and *My tasks* list it: a decision (``decision``), one of
    their checklist tasks (``item``) or a request from another app (``task``, a ``task_sources.ClientTask``)."""

    title: str
    url: str
    project: str
    engagement_id: int | None
    due_on: date | None = None
    overdue: bool = False
    source: str = ""
    detail: str = ""
    decision: AwaitingDecision | None = None
    item: ChecklistItem | None = None
    task: task_sources.ClientTask | None = None


@dataclass
class WaitingOnYou:
    """Everything waiting on the client user, each request once: decisions first, then by due date. ``done_items``
    and ``done_tasks`` are what they finished (the task list shows them below)."""

    entries: list[Waiting]
    done_items: list = field(default_factory=list)
    done_tasks: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.entries)

    def count_for(self, engagement_id: int) -> int:
        return sum(1 for entry in self.entries if entry.engagement_id == engagement_id)


def _decision_entry(decision: AwaitingDecision) -> Waiting:
    engagement = decision.engagement
    url = reverse("portal:engagement", args=[engagement.pk])
    if decision.stage is not None:
        title = _("Accept the stage “%(title)s”") % {"title": decision.stage.title}
        url += f"#stage-{decision.stage.pk}"
    elif decision.changed:
        title, url = _("Accept the changed work plan again"), url + "#work-plan"
    else:
        title, url = _("Accept the work plan"), url + "#work-plan"
    return Waiting(
        title=str(title),
        url=url,
        project=engagement.name,
        engagement_id=engagement.pk,
        source=str(_("awaiting your decision")),
        decision=decision,
    )


def waiting_on_you(*, user, today: date | None = None) -> WaitingOnYou:
    """The one list of what waits on ``user`` (a client user): the stages and work plans they decide, their open
    checklist tasks and every other app's requests (``task_sources``). A decision is listed once: the checklist task
    that closes with the work plan is the work plan's acceptance, so only that decision is listed (to who decides).
    A fixed number of queries, whatever the number of requests."""
    today = today or timezone.localdate()
    decisions = awaiting_decision(user=user)
    entries = [_decision_entry(decision) for decision in decisions]
    requests, done_items = [], []
    for item in client_tasks(user=user):
        if item.is_closed:
            done_items.append(item)
            continue
        engagement = item.stage.engagement
        if item.closes_with == ItemCompletion.WORK_PLAN:
            # Closed by the work plan's acceptance: listed as that decision to who decides, not to anyone else.
            continue
        item.overdue = item.is_overdue(today)
        requests.append(
            Waiting(
                title=item.title,
                url=reverse("portal:item", args=[item.pk]),
                project=engagement.name,
                engagement_id=engagement.pk,
                due_on=item.due_on,
                overdue=item.overdue,
                source=item.stage.title,
                item=item,
            )
        )
    others = task_sources.tasks_for(user=user, today=today)
    for task in others:
        if not task.done:
            requests.append(
                Waiting(
                    title=task.title,
                    url=task.url,
                    project=task.project,
                    engagement_id=task.engagement_id,
                    due_on=task.due_on,
                    overdue=task.overdue,
                    source=task.source,
                    detail=task.detail,
                    task=task,
                )
            )
    requests.sort(key=lambda entry: (entry.due_on is None, entry.due_on or date.max, entry.title.lower()))
    return WaitingOnYou(
        entries=entries + requests, done_items=done_items, done_tasks=[task for task in others if task.done]
    )


def recent_rejections(*, user, since, limit: int = 10):
    """The client's rejections since ``since`` on the engagements ``user`` sees, newest first (one query)."""
    return (
        StageAcceptance.objects.visible_to(user)
        .filter(decision=Decision.REJECTED, decided_at__gte=since)
        .select_related("engagement__client", "stage", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )


def low_scores(*, user, since, at_most: int, limit: int = 10):
    """Satisfaction scores of ``at_most`` or less answered since ``since``, newest first (one query)."""
    return (
        SatisfactionScore.objects.visible_to(user)
        .filter(score__lte=at_most, answered_at__gte=since)
        .select_related("engagement__client", "answered_by")
        .order_by("-answered_at", "-pk")[:limit]
    )


def pending_satisfaction(*, user):
    return SatisfactionScore.objects.visible_to(user).pending().select_related("engagement", "acceptance__stage")
