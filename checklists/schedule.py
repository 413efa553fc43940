"""The plan's arithmetic: pure functions over one engagement's items and dependencies, no database.

``reschedule(items, edges, calendar=, today=)`` walks the items in dependency order and works out each one's
planned dates, the forecast go-live and the critical path:

- An item's planned *start* is ``duration_days - 1`` working days before its due date (the due date counts).
- Finish-to-start: the dependent starts on the first working day after the predecessor's finish, plus its lag in
  working days. Start-to-start: it starts on the predecessor's start plus the lag.
- A predecessor's finish is, when it is done, the day it was done (so finishing early pulls its dependents in);
  when it is open and late, today (its earliest possible finish, so a late task pushes its dependents out);
  otherwise its due date.
- An item that waits for others takes the latest of what they allow (as soon as possible), unless its date is
  pinned by hand: then it stays, and when a predecessor ends after it starts that is a *conflict*.
- Items without predecessors keep their dates: they are where the plan starts from.

Working days are those of the engagement's calendar (``engagements.working_days.WorkCalendar``).
"""

from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FINISH_TO_START, START_TO_START = "fs", "ss"


@dataclass
class PlanItem:
    id: int
    title: str
    due_on: date | None
    duration_days: int = 1
    pinned: bool = False
    closed: bool = False
    done_on: date | None = None
    owner_side: str = "vendor"
    assignee_id: int | None = None


@dataclass(frozen=True)
class Edge:
    predecessor: int
    successor: int
    kind: str = FINISH_TO_START
    lag_days: int = 0


@dataclass
class Slot:
    """What the plan says of one item."""

    start: date | None
    planned: date | None  # the due date the plan gives it
    finish: date | None  # when it is expected to finish (a late open item: today; a done one: the day it was)
    driver: int | None = None  # the predecessor that decides its start
    conflict: int | None = None  # a predecessor that ends after a pinned date allows (its id)


@dataclass
class Plan:
    slots: dict[int, Slot]
    moves: dict[int, tuple[date | None, date]]  # item id -> (old due date, new due date)
    forecast_on: date | None
    critical: list[int] = field(default_factory=list)  # from the first item to the last
    conflicts: dict[int, int] = field(default_factory=dict)  # pinned item -> the predecessor it conflicts with


def find_cycle(edges) -> list[int] | None:
    """The items of one cycle among ``edges`` (in order, the first repeated at the end), or None."""
    graph = defaultdict(list)
    for edge in edges:
        graph[edge.predecessor].append(edge.successor)
    WHITE, GREY, BLACK = 0, 1, 2
    colour = defaultdict(int)
    for root in list(graph):
        if colour[root] != WHITE:
            continue
        stack, path = [(root, iter(graph[root]))], [root]
        colour[root] = GREY
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                colour[node] = BLACK
                stack.pop()
                path.pop()
            elif colour[child] == GREY:
                return path[path.index(child) :] + [child]
            elif colour[child] == WHITE:
                colour[child] = GREY
                stack.append((child, iter(graph[child])))
                path.append(child)
    return None


def refuse_cycle(edges, titles: dict[int, str]) -> None:
    """A ``ValidationError`` naming the items of a cycle, in words, when ``edges`` have one."""
    cycle = find_cycle(edges)
    if cycle:
        chain = " → ".join(f"«{titles.get(pk, pk)}»" for pk in cycle)
        raise ValidationError(
            _("These items would wait for each other in a circle, so none could ever start: %(chain)s.")
            % {"chain": chain}
        )


def _order(items: dict[int, PlanItem], incoming: dict[int, list[Edge]], edges) -> list[int]:
    indegree = dict.fromkeys(items, 0)
    outgoing = defaultdict(list)
    for edge in edges:
        indegree[edge.successor] += 1
        outgoing[edge.predecessor].append(edge.successor)
    queue = deque(sorted(pk for pk, n in indegree.items() if n == 0))
    order = []
    while queue:
        pk = queue.popleft()
        order.append(pk)
        for successor in outgoing[pk]:
            indegree[successor] -= 1
            if indegree[successor] == 0:
                queue.append(successor)
    if len(order) != len(items):
        refuse_cycle(edges, {pk: item.title for pk, item in items.items()})
    return order


def reschedule(items, edges, *, calendar, today: date) -> Plan:
    items = {item.id: item for item in items}
    edges = [edge for edge in edges if edge.predecessor in items and edge.successor in items]
    incoming = defaultdict(list)
    for edge in edges:
        incoming[edge.successor].append(edge)
    slots: dict[int, Slot] = {}
    moves, conflicts = {}, {}
    first_open_day = calendar.on_or_after(today)
    for pk in _order(items, incoming, edges):
        item = items[pk]
        duration = max(item.duration_days, 1)
        own_start = calendar.add(calendar.on_or_before(item.due_on), -(duration - 1)) if item.due_on else None
        allowed, driver = None, None
        for edge in incoming[pk]:
            before = slots[edge.predecessor]
            if edge.kind == START_TO_START:
                earliest = calendar.add(calendar.on_or_after(before.start), edge.lag_days) if before.start else None
            else:
                earliest = calendar.add(before.finish, 1 + edge.lag_days) if before.finish else None
            if earliest is not None and (allowed is None or earliest > allowed):
                allowed, driver = earliest, edge.predecessor
        if item.closed or item.pinned or allowed is None:
            start, planned = own_start, item.due_on
            if item.pinned and not item.closed and allowed is not None and own_start and allowed > own_start:
                conflicts[pk] = driver
            driver = None if (item.closed or item.pinned) else driver
        else:
            start, planned = allowed, calendar.add(allowed, duration - 1)
            if planned != item.due_on:
                moves[pk] = (item.due_on, planned)
        if item.closed:
            finish = item.done_on or item.due_on
        elif planned is not None and planned < today:
            finish = first_open_day  # late: it cannot finish before today
        else:
            finish = planned
        slots[pk] = Slot(start=start, planned=planned, finish=finish, driver=driver, conflict=conflicts.get(pk))
    finishes = [(slot.finish, pk) for pk, slot in slots.items() if slot.finish is not None]
    forecast_on, critical = None, []
    if finishes:
        forecast_on = max(finish for finish, _pk in finishes)
        # The last item to finish (the first of them, by plan order), then back along what decides each start.
        last = min(pk for finish, pk in finishes if finish == forecast_on)
        seen = set()
        while last is not None and last not in seen:
            seen.add(last)
            critical.append(last)
            last = slots[last].driver
        critical.reverse()
    return Plan(slots=slots, moves=moves, forecast_on=forecast_on, critical=critical, conflicts=conflicts)


def holds_by(plan: Plan, item_id: int, *, behind_days: int | None, calendar) -> int:
    """By how many working days the item on the critical path holds the go-live: how late it is (its finish
    after its planned date), at most as much as the forecast is behind the target; 0 when it holds nothing."""
    if item_id not in plan.critical or not behind_days or behind_days <= 0:
        return 0
    slot = plan.slots[item_id]
    if slot.planned is None or slot.finish is None or slot.finish <= slot.planned:
        return 0
    return min(calendar.between(slot.planned, slot.finish), behind_days)
