"""Each engagement's dashboard figures, maintained in ``EngagementFigures`` instead of recomputed per page.

The rule (README, "Maintained figures"): every write that changes what the figures count calls
``figures_refresh(engagement_ids, now=...)`` in its own transaction, after its writes: the services that change
checklist items, stages, acceptances and scores, red flags and promises, meetings, and the set-based sweeps (the
escalation sweep, the broken-promise sweep). What only the clock changes (an item falling overdue, a window of
days moving) changes when the site's date does: ``figures_tick`` (a periodic task) recomputes the rows of an
earlier date, and a page reading rows refreshes those of another date first (``figures_current``), so no page
shows yesterday's figures between midnight and the tick.

``figures_refresh`` computes in one statement for any set of engagements: the progress annotations that
checklists registers (``register_progress``), every registered health signal (``engagements.health``), the health
and the risk rank, written with ``INSERT ... SELECT ... ON CONFLICT DO UPDATE``. It first locks the engagements'
rows (``FOR NO KEY UPDATE``, which item and flag inserts do not wait on), so two transactions refreshing the same
engagement take turns and the second computes from what the first committed.

The figures are computed for the site's date (``settings.TIME_ZONE``), in that zone (a signal's window of days
starts at the site's midnight), whoever's request makes the write: engagements have no time zone of their own.
"""

import hashlib
import zoneinfo
from collections.abc import Callable, Iterable
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import IntegerField, Q, Value
from django.utils import timezone

from . import health
from .models import Engagement, EngagementFigures

# ``fn(queryset, *, today) -> queryset`` annotating items_total, items_done, next_due_title, next_due_on
# (checklists' ``with_progress``, registered in ``ChecklistsConfig.ready``).
_progress: list[Callable] = []
PROGRESS_COLUMNS = ("items_total", "items_done", "next_due_title", "next_due_on")
# The signal whose value is also a column (the dashboards sort by it).
OVERDUE_SIGNAL = "overdue_items"


# ``fn(engagement_ids)`` called after each refresh, in its transaction (portfolio renews its page fragments).
_on_refresh: list[Callable] = []


def on_refresh(fn: Callable) -> Callable:
    if fn not in _on_refresh:
        _on_refresh.append(fn)
    return fn


def register_progress(fn: Callable) -> Callable:
    if fn not in _progress:
        _progress.append(fn)
    return fn


def site_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def figures_today(now: datetime | None = None) -> date:
    """The date the figures are computed for: the site's, at ``now``."""
    return timezone.localdate(now or timezone.now(), timezone=site_zone())


def basis() -> str:
    """A digest of the registered signals, their thresholds and the progress sources."""
    parts = [
        (
            signal.name,
            signal.at_risk,
            signal.off_track,
            signal.low_is_bad,
            getattr(signal.value, "__module__", ""),
            getattr(signal.value, "__qualname__", ""),
            repr(getattr(signal.value, "__defaults__", None)),
            getattr(signal.detail, "__qualname__", ""),
        )
        for signal in health.signals()
    ]
    parts.append(tuple(f"{fn.__module__}.{fn.__qualname__}" for fn in _progress))
    return hashlib.sha1(repr(parts).encode()).hexdigest()


def _level_sql(signal: health.HealthSignal, column: str) -> tuple[str, list]:
    """``health._level`` in SQL: 0 on track, 1 at risk, 2 off track (NULL never signals)."""
    op = "<=" if signal.low_is_bad else ">="
    return (
        f"CASE WHEN s.{column} IS NULL THEN 0 WHEN s.{column} {op} %s THEN 2 WHEN s.{column} {op} %s THEN 1 ELSE 0 END",
        [signal.off_track, signal.at_risk],
    )


def _source(ids, today: date):
    queryset = Engagement.objects.all() if ids is None else Engagement.objects.filter(pk__in=ids)
    for fn in _progress:
        queryset = fn(queryset, today=today)
    if not _progress:
        queryset = queryset.annotate(
            items_total=Value(0, IntegerField()),
            items_done=Value(0, IntegerField()),
            next_due_title=Value(None),
            next_due_on=Value(None),
        )
    signals = health.signals()
    # Each signal's value, and the detail its reason needs (``HealthSignal.detail``), kept beside the values.
    queryset = queryset.annotate(**health.annotations(today))
    return queryset.order_by().values("id", *PROGRESS_COLUMNS, *health.value_names()), signals


def _refresh_sql(ids, *, today: date, now: datetime, only_other_dates: bool) -> tuple[str, list]:
    queryset, signals = _source(ids, today)
    inner, inner_params = queryset.query.sql_with_params()
    qn = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"
    levels, level_params = [], []
    for signal in signals:
        sql, params = _level_sql(signal, qn(signal.name))
        levels.append(sql)
        level_params += params
    if levels:
        greatest = ("GREATEST" if postgres else "MAX") + "(" + ", ".join(levels) + ")" if len(levels) > 1 else levels[0]
        weight = " + ".join(levels)
        count = " + ".join(f"(CASE WHEN ({level}) > 0 THEN 1 ELSE 0 END)" for level in levels)
        count_params = level_params
    else:
        greatest = weight = count = "0"
        count_params = []
    json_fn = "jsonb_build_object" if postgres else "json_object"
    pairs = ", ".join(f"'{name}', s.{qn(name)}" for name in health.value_names())
    signals_json = f"{json_fn}({pairs})" if signals else ("'{}'::jsonb" if postgres else "'{}'")
    overdue = f"COALESCE(s.{qn(OVERDUE_SIGNAL)}, 0)" if any(s.name == OVERDUE_SIGNAL for s in signals) else "0"
    table = qn(EngagementFigures._meta.db_table)
    columns = (
        "engagement_id, as_of, basis, items_total, items_done, overdue_items, next_due_title, next_due_on, signals, "
        "health, risk_health, risk_weight, risk_count, updated_at"
    )
    updated = [c.strip() for c in columns.split(",")[1:]]
    where = f" WHERE ({table}.as_of <> EXCLUDED.as_of OR {table}.basis <> EXCLUDED.basis)" if only_other_dates else ""
    # The source is materialized: each signal's column is read several times below (levels, health, rank), and a
    # flattened subquery would run its correlated count again for each.
    sql = (
        f"WITH s AS MATERIALIZED ({inner}) "
        f"INSERT INTO {table} ({columns}) "
        f"SELECT s.id, %s, %s, COALESCE(s.items_total, 0), COALESCE(s.items_done, 0), {overdue}, s.next_due_title, "
        f"s.next_due_on, {signals_json}, "
        f"CASE ({greatest}) WHEN 2 THEN 'off_track' WHEN 1 THEN 'at_risk' ELSE 'on_track' END, "
        f"{greatest}, {weight}, {count}, %s "
        "FROM s WHERE true "
        f"ON CONFLICT (engagement_id) DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in updated) + where
    )
    # Parameter order follows the text: the source's, then as_of, basis, the health CASE (greatest), risk_health
    # (greatest), weight, count, updated_at.
    params = [*inner_params, today, basis(), *level_params, *level_params, *level_params, *count_params, now]
    return sql, params


def _lock(ids) -> None:
    if connection.vendor != "postgresql" or not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {connection.ops.quote_name(Engagement._meta.db_table)} WHERE id = ANY(%s) "
            "ORDER BY id FOR NO KEY UPDATE",
            [sorted(ids)],
        )


def figures_refresh(engagement_ids: Iterable[int] | None, *, now: datetime | None = None) -> None:
    """Recompute the figures of ``engagement_ids`` (every engagement for ``None``) in one statement (after locking
    their rows); call it in the transaction of the write, after the write."""
    now = now or timezone.now()
    if engagement_ids is not None:
        engagement_ids = sorted({int(pk) for pk in engagement_ids if pk is not None})
        if not engagement_ids:
            return
    _lock(engagement_ids)
    _execute(engagement_ids, now=now, only_other_dates=False)


def _execute(ids, *, now: datetime, only_other_dates: bool) -> None:
    with timezone.override(site_zone()):
        sql, params = _refresh_sql(ids, today=figures_today(now), now=now, only_other_dates=only_other_dates)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            written = cursor.rowcount
    if written:
        for fn in _on_refresh:
            fn(ids)


def stale(queryset, *, today: date):
    """The engagements of ``queryset`` whose figures are missing, of another date or of another basis."""
    return queryset.filter(Q(figures__isnull=True) | ~Q(figures__as_of=today) | ~Q(figures__basis=basis()))


def figures_current(queryset, *, now: datetime | None = None) -> None:
    """Before a page reads the figures of ``queryset``'s engagements: compute those missing or of another date
    (one statement; none when every row is current). A row a write refreshed meanwhile is left as it is."""
    now = now or timezone.now()
    today = figures_today(now)
    ids = stale(queryset, today=today).order_by().values("pk")
    _execute(ids, now=now, only_other_dates=True)


def figures_tick(*, now: datetime | None = None, batch: int = 500) -> int:
    """The periodic tick: recompute, in batches, the rows of engagements whose figures are of an earlier date (the
    site's day moved on: items fell overdue, windows of days moved) or missing. Returns how many."""
    now = now or timezone.now()
    today = figures_today(now)
    done = 0
    while True:
        with transaction.atomic():
            ids = list(stale(Engagement.objects.all(), today=today).order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                return done
            _execute(ids, now=now, only_other_dates=True)
            # Rows a write refreshed meanwhile keep its figures; an engagement with no row gets one.
            done += len(ids)


def recomputed(engagement_ids, *, now: datetime) -> dict:
    """The figures of ``engagement_ids`` computed afresh (not stored), by id: for the equivalence test and checks."""
    with timezone.override(site_zone()):
        today = figures_today(now)
        queryset, signals = _source(engagement_ids, today)
        rows = {}
        for values in queryset:
            signal_values = {name: values[name] for name in health.value_names()}
            rank = health.risk_rank(**signal_values)
            rows[values["id"]] = {
                "as_of": today,
                "items_total": values["items_total"] or 0,
                "items_done": values["items_done"] or 0,
                "overdue_items": signal_values.get(OVERDUE_SIGNAL) or 0,
                "next_due_title": values["next_due_title"],
                "next_due_on": values["next_due_on"],
                "signals": signal_values,
                "health": health.engagement_health(**signal_values).value,
                "risk": rank,
            }
        return rows


def stored(engagement_ids) -> dict:
    """The stored figures of ``engagement_ids``, in the shape of ``recomputed``."""
    rows = {}
    for row in EngagementFigures.objects.filter(engagement_id__in=engagement_ids):
        rows[row.engagement_id] = {
            "as_of": row.as_of,
            "items_total": row.items_total,
            "items_done": row.items_done,
            "overdue_items": row.overdue_items,
            "next_due_title": row.next_due_title,
            "next_due_on": row.next_due_on,
            "signals": row.signals,
            "health": row.health,
            "risk": (row.risk_health, row.risk_weight, row.risk_count),
        }
    return rows
