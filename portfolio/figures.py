"""The figures of every engagement a person sees, for the dashboards: phase, progress, next due item, every health
signal, the health itself (``engagements.health.with_health``, the one health function) and the risk rank.

A director sees 2,000 engagements; computing their health means counting 100,000 checklist items, which takes
longer than a page may. So the rows are computed once and kept, per scope (everyone's for the portfolio roles, a
person's own otherwise) and day, under a *generation*: any change to the data the figures come from moves the
generation on, after its transaction commits (``changed``, connected to the source models' save and delete signals
in ``PortfolioConfig.ready``), and the next page computes them again. A change made without a model signal (a
queryset ``update``) is picked up after ``TTL`` seconds at the latest.

The rows live in Django's cache (shared by every web process: Redis in production, see ``CACHE_URL``) and, for the
current generation, in the process itself, so a page does not unpickle 2,000 rows on every request.
"""

import threading
import time
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db import transaction

from checklists import selectors as checklist_selectors
from engagements.health import Health, health_reasons, risk_rank, signals, value_names, with_health
from engagements.models import Engagement, Phase

GENERATION_KEY = "portfolio:figures:generation"
TTL = 60
_LOCAL_SIZE = 32

FIELDS = (
    "pk",
    "name",
    "client_id",
    "client__name",
    "phase",
    "csm_id",
    "csm__full_name",
    "pm_id",
    "pm__full_name",
    "deputy_pm_id",
    "kickoff_on",
    "target_go_live_on",
    "items_total",
    "items_done",
    "next_due_title",
    "next_due_on",
    "health",
)


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


_local: dict = {}
_lock = threading.Lock()


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
    """Something the figures count changed (a model signal receiver). The generation moves now, so this
    transaction's own next read sees the change, and again when the transaction commits, so that a page another
    process computed meanwhile (without the uncommitted change) is not kept."""
    _bump()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(func is _bump for _sids, func, _robust in connection.run_on_commit):
        transaction.on_commit(_bump)


def _compute(user, today: date) -> list[Figures]:
    queryset = Engagement.objects.visible_to(user)
    queryset = with_health(checklist_selectors.with_progress(queryset, today=today), today=today)
    names = value_names()
    rows = []
    for values in queryset.order_by().values(*FIELDS, *names).iterator(chunk_size=2000):
        row_signals = {name: values[name] for name in names}
        rows.append(
            Figures(
                pk=values["pk"],
                name=values["name"],
                client_id=values["client_id"],
                client_name=values["client__name"],
                phase=values["phase"],
                csm_id=values["csm_id"],
                csm_name=values["csm__full_name"],
                pm_id=values["pm_id"],
                pm_name=values["pm__full_name"] or "",
                deputy_pm_id=values["deputy_pm_id"],
                kickoff_on=values["kickoff_on"],
                target_go_live_on=values["target_go_live_on"],
                items_total=values["items_total"],
                items_done=values["items_done"],
                next_due_title=values["next_due_title"],
                next_due_on=values["next_due_on"],
                health=values["health"],
                signals=row_signals,
                risk=risk_rank(**row_signals),
            )
        )
    return rows


def figures_for(*, user, today: date) -> list[Figures]:
    """The figures of every engagement ``user`` sees (closed ones included), as of ``today``."""
    scope = "all" if user.sees_portfolio else f"user:{user.pk}"
    # The registered signals are part of the key: a signal registered or replaced (in tests) is a new computation.
    key = f"portfolio:figures:{scope}:{today.isoformat()}:{generation()}:{hash(tuple(signals())) & 0xFFFFFFFF:x}"
    now = time.monotonic()
    with _lock:
        hit = _local.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    rows = cache.get(key)
    if rows is None:
        rows = _compute(user, today)
        cache.set(key, rows, TTL)
    with _lock:
        if len(_local) >= _LOCAL_SIZE:
            _local.clear()
        _local[key] = (now + TTL, rows)
    return rows


def forget() -> None:
    """Drop this process's copies (tests that change data without a model signal)."""
    with _lock:
        _local.clear()
