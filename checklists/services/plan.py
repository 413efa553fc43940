"""The plan between an engagement's items: linking and unlinking them, and rescheduling (see ``schedule``).

``plan_reschedule`` is set-based: one fetch of the engagement's items and one of its dependencies, the arithmetic
in Python, then one ``UPDATE ... FROM (VALUES ...)`` of only the items whose due date changes, one INSERT of their
history rows, their reminders in three statements and one notification per person whose items moved, whatever
the size of the plan (``bench/plan_bench.py`` measures it; ``tests/test_plan.py`` pins the count at two sizes).
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from engagements import hooks, policy
from engagements.figures import figures_refresh
from engagements.models import Engagement
from engagements.services import engagement_lock
from notifications.services import NotifyRequest, notify_many

from .. import schedule
from ..models import (
    CLOSED_ITEM_STATUSES,
    ChecklistItem,
    DependencyKind,
    ItemDependency,
    ItemEvent,
    ItemStatus,
    PlanForecast,
)
from ..reminders import items_reminders_sync

PLAN_CATEGORY = "plan"
# What set a rescheduling off, as stored in the moved items' history (``ItemEvent.changes["cause"]``).
CAUSES = ("moved", "late", "finished", "reopened", "linked", "unlinked", "applied", "anchors", "pinned")


def calendar_of(engagement_id: int):
    return hooks.work_calendars([engagement_id])[engagement_id]


def _plan_inputs(engagement_id: int) -> tuple[list, list]:
    rows = ChecklistItem.objects.filter(stage__engagement_id=engagement_id).values_list(
        "pk", "title", "due_on", "duration_days", "due_pinned", "status", "completed_at", "owner_side", "assignee_id"
    )
    items = [
        schedule.PlanItem(
            id=pk,
            title=title,
            due_on=due_on,
            duration_days=duration,
            pinned=pinned,
            closed=status in CLOSED_ITEM_STATUSES,
            done_on=timezone.localdate(completed_at) if status == ItemStatus.DONE and completed_at else None,
            owner_side=side,
            assignee_id=assignee_id,
        )
        for pk, title, due_on, duration, pinned, status, completed_at, side, assignee_id in rows
    ]
    edges = [
        schedule.Edge(*row)
        for row in ItemDependency.objects.filter(engagement_id=engagement_id).values_list(
            "predecessor_id", "successor_id", "kind", "lag_days"
        )
    ]
    return items, edges


def plan_of(engagement: Engagement, *, today) -> tuple[schedule.Plan, list, object]:
    """The plan as it stands (two queries and the calendar's), for the pages: (plan, items, calendar)."""
    items, edges = _plan_inputs(engagement.pk)
    calendar = calendar_of(engagement.pk)
    return schedule.reschedule(items, edges, calendar=calendar, today=today), items, calendar


def _write_due_dates(moves: dict) -> None:
    """One statement for every moved item (PostgreSQL: ``UPDATE ... FROM (VALUES ...)``; elsewhere the ORM's
    ``bulk_update``, one CASE statement)."""
    if connection.vendor == "postgresql":
        table = ChecklistItem._meta.db_table
        values = ", ".join(["(%s, %s::date)"] * len(moves))
        params = [value for pk, (_old, new) in moves.items() for value in (pk, new)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS item SET due_on = moved.due_on "
                f"FROM (VALUES {values}) AS moved(id, due_on) WHERE item.id = moved.id",
                params,
            )
        return
    ChecklistItem.objects.bulk_update(
        [ChecklistItem(pk=pk, due_on=new) for pk, (_old, new) in moves.items()], ["due_on"], batch_size=500
    )


def _notify_moves(engagement: Engagement, moved: list[ChecklistItem], *, cause: dict, now) -> None:
    """Each person whose items moved hears of it once for this change, with all their moved items."""
    by_person: dict[int, list] = {}
    people = {}
    for item in moved:
        person = item.assignee
        if person is None or not person.is_active:
            continue
        people[person.pk] = person
        by_person.setdefault(person.pk, []).append(item)
    change = f"{engagement.pk}:{now.isoformat()}"
    requests = []
    for pk, items in by_person.items():
        person = people[pk]
        url = (
            reverse("portal:item", args=[items[0].pk])
            if person.is_client_user
            else reverse("portfolio:engagement", args=[engagement.pk])
        )
        requests.append(
            NotifyRequest(
                event=f"checklist.plan_moved:{change}",
                recipients=[person],
                category=PLAN_CATEGORY,
                template="checklists/email/plan_moved",
                context={
                    "engagement_name": engagement.name,
                    "cause_item": cause.get("item", ""),
                    "cause_kind": cause.get("kind", ""),
                    "moves": [{"title": item.title, "old": item.old_due_on, "new": item.due_on} for item in items[:20]],
                    "count": len(items),
                },
                url=url,
            )
        )
    notify_many(requests, now=now)


def _store_forecast(engagement: Engagement, plan: schedule.Plan, calendar, *, items, now) -> PlanForecast:
    behind = None
    if plan.forecast_on and engagement.target_go_live_on:
        behind = calendar.between(engagement.target_go_live_on, plan.forecast_on)
    sides = {item.id: item.owner_side for item in items}
    critical = [
        {
            "item": pk,
            "side": sides[pk],
            "holds": schedule.holds_by(plan, pk, behind_days=behind, calendar=calendar),
        }
        for pk in plan.critical
    ]
    forecast = PlanForecast(
        engagement=engagement, forecast_on=plan.forecast_on, behind_days=behind, critical=critical, computed_at=now
    )
    PlanForecast.objects.bulk_create(
        [forecast],
        update_conflicts=True,
        unique_fields=["engagement"],
        update_fields=["forecast_on", "behind_days", "critical", "computed_at"],
    )
    return forecast


@transaction.atomic
def plan_reschedule(*, engagement: Engagement, by: User | None, cause: dict, now=None) -> schedule.Plan:
    """Move the dependents' due dates to what their predecessors now allow, record each move in the item's history
    with its cause (``{"kind": one of CAUSES, "item": title}``), tell each person whose items moved once, and store
    the forecast. Called by the item services in their transaction, and by the daily tick for late items."""
    now = now or timezone.now()
    engagement = engagement_lock(engagement)
    items, edges = _plan_inputs(engagement.pk)
    calendar = calendar_of(engagement.pk)
    plan = schedule.reschedule(items, edges, calendar=calendar, today=timezone.localdate(now))
    if plan.moves:
        _write_due_dates(plan.moves)
        moved = list(
            ChecklistItem.objects.filter(pk__in=plan.moves)
            .select_related("assignee", "stage__engagement__csm")
            .order_by("position", "pk")
        )
        ItemEvent.objects.bulk_create(
            [
                ItemEvent(
                    item=item,
                    actor=by,
                    action="rescheduled",
                    changes={
                        "due_on": [old.isoformat() if old else None, new.isoformat()],
                        "cause": {"kind": cause.get("kind", ""), "item": cause.get("item", "")},
                    },
                    at=now,
                )
                for item in moved
                for old, new in [plan.moves[item.pk]]
            ],
            batch_size=1000,
        )
        items_reminders_sync(moved, now=now)
        for item in moved:
            item.old_due_on = plan.moves[item.pk][0]
        _notify_moves(engagement, moved, cause=cause, now=now)
    _store_forecast(engagement, plan, calendar, items=items, now=now)
    # Moved due dates and the forecast are health inputs: the maintained figures follow in this transaction.
    figures_refresh([engagement.pk], now=now)
    return plan


@transaction.atomic
def dependency_add(
    *,
    by: User,
    item: ChecklistItem,
    predecessor_id,
    kind: str = DependencyKind.FINISH_TO_START,
    lag_days: int = 0,
    now=None,
) -> ItemDependency:
    """``item`` waits for the item ``predecessor_id`` of the same engagement; a cycle is refused in words and
    nothing changes. Those who work on the engagement link items."""
    now = now or timezone.now()
    engagement = item.stage.engagement
    policy.require_work(by, engagement)
    engagement = engagement_lock(engagement)
    if kind not in DependencyKind.values:
        raise ValidationError({"kind": _("Choose how the item waits.")})
    try:
        lag_days = int(lag_days)
    except (TypeError, ValueError):
        lag_days = -1
    if not 0 <= lag_days <= 250:
        raise ValidationError({"lag_days": _("The lag is a number of working days from 0 to 250.")})
    predecessor = ChecklistItem.objects.filter(pk=predecessor_id, stage__engagement=engagement).first()
    if predecessor is None:
        raise ValidationError({"predecessor": _("Choose an item of this engagement.")})
    if predecessor.pk == item.pk:
        raise ValidationError({"predecessor": _("An item cannot wait for itself.")})
    edges = list(
        ItemDependency.objects.filter(engagement=engagement).values_list("predecessor_id", "successor_id", "pk")
    )
    if any(p == predecessor.pk and s == item.pk for p, s, _pk in edges):
        raise ValidationError({"predecessor": _("This item already waits for that one.")})
    candidate = [schedule.Edge(p, s) for p, s, _pk in edges] + [schedule.Edge(predecessor.pk, item.pk)]
    titles = dict(ChecklistItem.objects.filter(stage__engagement=engagement).values_list("pk", "title"))
    schedule.refuse_cycle(candidate, titles)
    dependency = ItemDependency(
        engagement=engagement, predecessor=predecessor, successor=item, kind=kind, lag_days=lag_days, created_at=now
    )
    dependency.full_clean()
    dependency.save()
    ItemEvent.objects.create(item=item, actor=by, action="updated", changes={"waits_for": predecessor.title}, at=now)
    plan_reschedule(engagement=engagement, by=by, cause={"kind": "linked", "item": predecessor.title}, now=now)
    return dependency


@transaction.atomic
def dependency_remove(*, by: User, dependency: ItemDependency, now=None) -> None:
    now = now or timezone.now()
    engagement = dependency.engagement
    policy.require_work(by, engagement)
    title = dependency.predecessor.title
    ItemEvent.objects.create(
        item=dependency.successor, actor=by, action="updated", changes={"waits_for": [title, None]}, at=now
    )
    dependency.delete()
    plan_reschedule(engagement=engagement, by=by, cause={"kind": "unlinked", "item": title}, now=now)


@transaction.atomic
def item_unpin(*, by: User, item: ChecklistItem, now=None) -> ChecklistItem:
    """Let the plan set the item's date again (after someone pinned it by choosing it by hand)."""
    now = now or timezone.now()
    engagement = item.stage.engagement
    policy.require_work(by, engagement)
    if item.due_pinned:
        ChecklistItem.objects.filter(pk=item.pk).update(due_pinned=False)
        item.due_pinned = False
        ItemEvent.objects.create(item=item, actor=by, action="updated", changes={"due_pinned": [True, False]}, at=now)
        plan_reschedule(engagement=engagement, by=by, cause={"kind": "pinned", "item": item.title}, now=now)
    return item


def plan_reschedule_late(*, now=None) -> int:
    """The daily tick: replan each engagement with an open item past its due date that others wait for, once a
    day (its forecast computed before today). Returns how many engagements were replanned."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start_of_today = timezone.make_aware(timezone.datetime.combine(today, timezone.datetime.min.time()))
    engagement_ids = (
        ItemDependency.objects.filter(predecessor__due_on__lt=today)
        .exclude(predecessor__status__in=CLOSED_ITEM_STATUSES)
        .exclude(engagement__plan_forecast__computed_at__gte=start_of_today)
        .values_list("engagement_id", flat=True)
        .distinct()
    )
    count = 0
    for engagement in Engagement.objects.filter(pk__in=list(engagement_ids)):
        plan_reschedule(engagement=engagement, by=None, cause={"kind": "late", "item": ""}, now=now)
        count += 1
    return count
