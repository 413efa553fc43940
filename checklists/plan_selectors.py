"""Reads of the plan between items for the pages: an item's dependencies and the choices for a new one, and an
engagement's forecast with the items that hold it (a fixed number of queries each)."""

from dataclasses import dataclass, field
from datetime import date

from .models import ChecklistItem, ItemDependency, PlanForecast
from .services.plan import plan_of


@dataclass
class ItemPlan:
    predecessors: list
    dependents: list
    choices: list  # (stage title, [(item id, title)]) of the engagement's other items
    start: date | None = None
    finish: date | None = None
    conflict: ChecklistItem | None = None
    holds: int = 0
    critical: bool = False


def item_plan(*, item: ChecklistItem, today: date) -> ItemPlan:
    engagement = item.stage.engagement
    predecessors = list(
        ItemDependency.objects.filter(successor=item).select_related("predecessor").order_by("predecessor__position")
    )
    dependents = list(
        ItemDependency.objects.filter(predecessor=item).select_related("successor").order_by("successor__position")
    )
    taken = {d.predecessor_id for d in predecessors} | {item.pk}
    groups: dict[int, tuple[str, list]] = {}
    for pk, title, stage_id, stage_title in (
        ChecklistItem.objects.filter(stage__engagement=engagement)
        .order_by("stage__position", "stage_id", "position", "pk")
        .values_list("pk", "title", "stage_id", "stage__title")
    ):
        if pk not in taken:
            groups.setdefault(stage_id, (stage_title, []))[1].append((pk, title))
    plan, _items, _calendar = plan_of(engagement, today=today)
    slot = plan.slots.get(item.pk)
    result = ItemPlan(predecessors=predecessors, dependents=dependents, choices=list(groups.values()))
    if slot:
        result.start, result.finish = slot.start, slot.finish
        if slot.conflict:
            result.conflict = next((d.predecessor for d in predecessors if d.predecessor_id == slot.conflict), None)
            if result.conflict is not None:
                result.conflict.finish = plan.slots[slot.conflict].finish
    forecast = PlanForecast.objects.filter(engagement=engagement).first()
    if forecast:
        step = next((s for s in forecast.critical if s["item"] == item.pk), None)
        result.critical, result.holds = step is not None, (step or {}).get("holds", 0)
    return result


@dataclass
class Forecast:
    target_on: date | None
    forecast_on: date | None
    behind_days: int | None
    holding: list = field(default_factory=list)  # items on the critical path (with .holds), from the first
    conflicts: int = 0

    @property
    def ahead_days(self) -> int:
        return -self.behind_days if self.behind_days else 0


def engagement_forecast(*, engagement) -> Forecast | None:
    """The forecast the rescheduling last stored, with the items of the critical path (two queries); None before
    the engagement has a plan."""
    forecast = PlanForecast.objects.filter(engagement=engagement).first()
    if forecast is None or forecast.forecast_on is None:
        return None
    steps = {step["item"]: step for step in forecast.critical}
    items = {i.pk: i for i in ChecklistItem.objects.filter(pk__in=steps).select_related("assignee")}
    holding = []
    for pk in steps:
        if pk in items:
            items[pk].holds = steps[pk].get("holds", 0)
            holding.append(items[pk])
    return Forecast(
        target_on=engagement.target_go_live_on,
        forecast_on=forecast.forecast_on,
        behind_days=forecast.behind_days,
        holding=holding,
    )


def item_holds_go_live(*, item: ChecklistItem) -> int | None:
    """For the portal: by how many working days the client's task holds the go-live (0: it is on the critical
    path but holds nothing yet); None when it is not on the critical path. One query."""
    forecast = PlanForecast.objects.filter(engagement_id=item.stage.engagement_id).first()
    step = next((s for s in (forecast.critical if forecast else []) if s["item"] == item.pk), None)
    return None if step is None else step.get("holds", 0)
