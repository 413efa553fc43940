"""The registry of "My work": the lists of things waiting for a person, across their engagements.

The "My work" page (``portfolio``) shows every registered list a person has something in, in order; it knows none
of them. Each app adds its own from its ``AppConfig.ready()``, as it adds health signals (``health.py``)::

    work.register_list(WorkList("checklists.assigned", _("Assigned to you: due soon or overdue"), fetch, position=10))

``fetch(*, user, today) -> WorkResult`` returns the first entries (at most ``limit``) and how many there are in all,
in a fixed number of queries whatever the amount of data (the page's query count must not grow with it). Checklists
adds items due soon or overdue, items handed over to a deputy, client comments waiting for an answer and stages
awaiting the client; engagements' promise ledger, governance and escalations add promises, action items and
red flags the same way.

Registration is idempotent by name (a ``ready()`` that runs again replaces the list with itself).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.urls import reverse

# How many entries a list shows before it says "and N more".
LIMIT = 25
# "Due soon" on My work: within the coming week.
DUE_SOON_DAYS = 7


@dataclass
class WorkEntry:
    """One thing waiting for the person: what it is, where, when it is due and why it is theirs."""

    title: str
    url: str
    engagement: str = ""
    engagement_url: str = ""
    due_on: date | None = None
    due_at: datetime | None = None
    overdue: bool = False
    note: str = ""


@dataclass
class WorkResult:
    entries: list = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return max(self.total - len(self.entries), 0)


@dataclass(frozen=True)
class WorkList:
    """``name`` identifies the list (``"<app>.<list>"``, also its anchor on the page); ``label`` is its heading;
    ``fetch(*, user, today, limit)`` its entries; ``for_user(user) -> bool`` whether to ask at all (for lists that
    only some roles can have); ``empty`` what the page says when the list is empty (shown only with
    ``always=True``: otherwise an empty list is left out)."""

    name: str
    label: str
    fetch: Callable[..., WorkResult]
    position: int = 100
    for_user: Callable[[object], bool] | None = None
    empty: str = ""
    always: bool = False
    description: str = ""

    @property
    def anchor(self) -> str:
        return self.name.replace(".", "-").replace("_", "-")


def result_of(queryset, limit: int, entry: Callable[[object], WorkEntry]) -> WorkResult:
    """The first ``limit`` rows of ``queryset`` as entries, and how many there are in all: always the same two
    queries (the count even when the first page holds everything), so the page's count does not depend on data."""
    rows = list(queryset[:limit])
    return WorkResult(entries=[entry(row) for row in rows], total=queryset.count())


def engagement_link(engagement) -> tuple[str, str]:
    """An entry's engagement as "Client — Engagement" and the address of its page (``client`` selected)."""
    return f"{engagement.client.name} — {engagement.name}", reverse("portfolio:engagement", args=[engagement.pk])


_lists: dict[str, WorkList] = {}


def register_list(work_list: WorkList) -> WorkList:
    _lists[work_list.name] = work_list
    return work_list


def lists() -> list[WorkList]:
    return sorted(_lists.values(), key=lambda w: (w.position, w.name))


def work_for(*, user, today: date, limit: int = LIMIT) -> list[tuple[WorkList, WorkResult]]:
    """Every list that has something for ``user`` (and those marked ``always``), in order."""
    result = []
    for work_list in lists():
        if work_list.for_user is not None and not work_list.for_user(user):
            continue
        found = work_list.fetch(user=user, today=today, limit=limit)
        if found.total or work_list.always:
            result.append((work_list, found))
    return result
