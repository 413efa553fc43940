"""The figures of every engagement a person sees, for the dashboards: phase, progress, next due item, every health
signal, the health and the risk rank, read from the maintained rows (``engagements.figures``: each write keeps
its engagements' row true in its own transaction, a tick and ``figures_current`` the rows of a new day). The
dashboards filter, sort and page over those rows in SQL (``rows_for``), so a page of 50 reads 50 rows whatever the
number of engagements, and builds the translated reasons only for the rows it shows.

The rendered fragments of the pages (``page_cache``) are kept under a *generation* that moves on after any change:
a model signal (``changed``) and every figures refresh (set-based sweeps included, ``figures_changed``), on
commit. The fragments' TTL only bounds how long an unused one is kept: the generation is what keeps them true.
"""

from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Lower

from engagements.figures import figures_current
from engagements.health import Health, health_reasons
from engagements.models import Engagement, Phase

GENERATION_KEY = "portfolio:figures:generation"
TTL = 60

FIELDS = {
    "pk": "pk",
    "name": "name",
    "client_id": "client_id",
    "client_name": "client__name",
    "phase": "phase",
    "csm_id": "csm_id",
    "csm_name": "csm__full_name",
    "pm_id": "pm_id",
    "pm_name": "pm__full_name",
    "deputy_pm_id": "deputy_pm_id",
    "kickoff_on": "kickoff_on",
    "target_go_live_on": "target_go_live_on",
    "items_total": "figures__items_total",
    "items_done": "figures__items_done",
    "next_due_title": "figures__next_due_title",
    "next_due_on": "figures__next_due_on",
    "health": "figures__health",
    "signals": "figures__signals",
    "risk_health": "figures__risk_health",
    "risk_weight": "figures__risk_weight",
    "risk_count": "figures__risk_count",
}


@dataclass(slots=True)
class Figures:
    """One engagement's row on a dashboard (plain values, so it pickles small)."""

    pk: int
    name: str
    client_id: int
    client_name: str
    phase: str
    csm_id: int
    csm_name: str
    pm_id: int | None
    pm_name: str
    deputy_pm_id: int | None
    kickoff_on: date | None
    target_go_live_on: date | None
    items_total: int
    items_done: int
    next_due_title: str | None
    next_due_on: date | None
    health: str
    signals: dict
    risk: tuple

    def __getattr__(self, name):
        # Each health signal reads as an attribute too (``row.open_rejections``), as on an annotated queryset.
        if name.startswith("__") or name == "signals":
            raise AttributeError(name)
        try:
            return self.signals[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def progress(self) -> int:
        return round(100 * self.items_done / self.items_total) if self.items_total else 0

    @property
    def overdue_items(self) -> int:
        return self.signals.get("overdue_items") or 0

    @property
    def phase_label(self):
        return Phase(self.phase).label

    @property
    def health_label(self):
        return Health(self.health).label

    @property
    def reasons(self):
        return health_reasons(**self.signals)


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY) or 1
    return value


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, 2, timeout=None)


def changed(**_kwargs) -> None:
    """Something the pages show changed (a model signal receiver, and every figures refresh through
    ``figures_changed``). The generation moves now, so this transaction's own next read sees the change, and again
    when the transaction commits, so that a page another process rendered meanwhile (without the uncommitted
    change) is not kept."""
    _bump()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(func is _bump for _sids, func, _robust in connection.run_on_commit):
        transaction.on_commit(_bump)


def figures_changed(engagement_ids) -> None:
    """A figures refresh (``engagements.figures.on_refresh``): the fragments showing them are renewed."""
    changed()


def _figures(values: dict) -> Figures:
    signals = values["signals"] or {}
    return Figures(
        pk=values["pk"],
        name=values["name"],
        client_id=values["client_id"],
        client_name=values["client_name"],
        phase=values["phase"],
        csm_id=values["csm_id"],
        csm_name=values["csm_name"],
        pm_id=values["pm_id"],
        pm_name=values["pm_name"] or "",
        deputy_pm_id=values["deputy_pm_id"],
        kickoff_on=values["kickoff_on"],
        target_go_live_on=values["target_go_live_on"],
        items_total=values["items_total"] or 0,
        items_done=values["items_done"] or 0,
        next_due_title=values["next_due_title"],
        next_due_on=values["next_due_on"],
        health=values["health"] or Health.ON_TRACK.value,
        signals=signals,
        risk=(values["risk_health"] or 0, values["risk_weight"] or 0, values["risk_count"] or 0),
    )


class Rows:
    """A dashboard's rows, lazily: ``len`` counts in SQL, a slice reads only its rows (a ``Paginator`` reads one
    page), iterating reads them all (the CSV export)."""

    def __init__(self, queryset):
        self.queryset = queryset
        self._count = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    __len__ = count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [_figures(values) for values in self.queryset[index]]
        return _figures(self.queryset[index])

    def __iter__(self):
        return (_figures(values) for values in self.queryset.iterator(chunk_size=2000))


def _by_client():
    return [Lower("client__name"), Lower("name"), "pk"]


SORTS = {
    # Risk first (the default): worst health, then the most and worst signals, then the client.
    "risk": [F("figures__risk_health").desc(), F("figures__risk_weight").desc(), F("figures__risk_count").desc()],
    "client": [],
    "overdue": [F("figures__overdue_items").desc()],
    "next_due": [F("figures__next_due_on").asc(nulls_last=True)],
    "kickoff": [F("kickoff_on").asc(nulls_last=True)],
    "go_live": [F("target_go_live_on").asc(nulls_last=True)],
}


def engagements_for(*, user, now=None, current: bool = True):
    """The engagements ``user`` sees, their figures made current first (one statement; nothing to do mostly) unless
    the caller did so already in this request (``current=False``)."""
    queryset = Engagement.objects.visible_to(user)
    if current:
        figures_current(queryset, now=now)
    return queryset


def rows_for(
    *, user, phase="", health="", csm=None, pm=None, query="", sort="risk", now=None, current: bool = True
) -> Rows:
    """The dashboard's rows, filtered and sorted in SQL: closed engagements only when asked for by phase."""
    queryset = engagements_for(user=user, now=now, current=current)
    queryset = queryset.filter(phase=phase) if phase else queryset.exclude(phase=Phase.CLOSED)
    if health:
        queryset = queryset.filter(figures__health=health)
    if csm:
        queryset = queryset.filter(csm_id=csm)
    if pm:
        queryset = queryset.filter(Q(pm_id=pm) | Q(deputy_pm_id=pm))
    for word in query.split():
        queryset = queryset.filter(Q(client__name__icontains=word) | Q(name__icontains=word))
    queryset = queryset.order_by(*SORTS[sort], *_by_client())
    plain = [path for alias, path in FIELDS.items() if alias == path]
    return Rows(queryset.values(*plain, **{alias: F(path) for alias, path in FIELDS.items() if alias != path}))


def forget() -> None:
    """Nothing is kept in the process any more (tests called this between cases)."""
