"""The escalation sweep: every due timer of every red flag acted on exactly once.

A beat tick (registered in ``EscalationsConfig.ready()``) runs ``escalation_sweep``, which claims due flags in
batches. For each batch, in ONE transaction:

1. claim: ``SELECT ... WHERE status IN (live) AND next_due_at <= now ORDER BY next_due_at LIMIT n
   FOR UPDATE SKIP LOCKED`` (the partial index ``red_flag_due``), as plain tuples of the few columns that decide
   what is due. Rows another sweep holds are skipped, not waited for; PostgreSQL re-reads each claimed row after
   locking it, so what the sweep sees is the row as it is now;
2. the common case in SQL (``sweep_escalate``): a running flag that missed its acknowledge deadline below its
   path's last level, and has nothing else due, climbs to the next level. Such flags are grouped by engagement,
   path, level and severity; each group's deadlines, owner and people told are worked out once, and the
   escalations, timeline lines, flag updates and fan-out rows are written by two statements whatever the number;
3. everything else, planned per flag in Python without queries per flag: re-check each locked flag (still live,
   each timer really due, its level known to its path) and decide what is due: an escalation to the next level (a
   missed resolve deadline, or a flag that went quiet), a re-notification at the last level, a breach warning, a
   reminder to post a client update, an auto-close of a resolved flag; then written set-based: the escalations
   with ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` (unique per flag, cycle, level and round, so a second sweep
   or a retried task makes none twice), the timeline lines, the flags' new level/owner/timers in one
   ``UPDATE ... FROM unnest(...)`` guarded by the expected level and cycle, and every notification through one
   deferred ``notify_many``.

Either way each event gets ONE fan-out row per side told (who must be told of what, unique per event), which the
notification relay expands into the outbox rows after commit, exactly once. The number of queries per batch is
constant: it does not grow with the number of flags due. A flag the planner fails on (a path missing a level, say)
records the error and backs off, so it cannot block the others. An acknowledgement takes the same row lock
(``services.flags``), so it and an escalation cannot both win.
"""

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from engagements.figures import figures_refresh
from notifications.bulk import execute_bound
from notifications.services import notify_many
from webhooks.services import emit_many

from .. import messages, timers, webhook_events
from ..coverage import coverage_for, rules_for_paths
from ..models import (
    RUNNING_STATUSES,
    TIMER_FIELDS,
    Escalation,
    EscalationReason,
    EventKind,
    FlagEvent,
    FlagStatus,
    RedFlag,
)
from ..recipients import PERSON_FIELDS, People, followers_of, route
from . import sweep_escalate
from ._common import columns

logger = logging.getLogger(__name__)

# The columns the sweep writes back (besides the id it matches on).
WRITTEN = (
    "status",
    "level",
    "owner_id",
    "level_entered_at",
    "level_acknowledged_at",
    "renotify_count",
    "closed_at",
    *TIMER_FIELDS,
    "next_due_at",
    "sweep_attempts",
    "sweep_error",
    "updated_at",
)
# Long texts the sweep never reads: left out of the claim (a thousand descriptions cost more than the rest).
UNREAD = ("description", "resolution", "reporter_name", "sweep_error")
BACKOFF_MAX = timedelta(hours=6)


@dataclass
class Plan:
    flags: list = field(default_factory=list)  # (flag, expected level, expected cycle)
    escalations: list = field(default_factory=list)  # (flag, _Step, told, entering a level?)
    events: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    hooks: list = field(default_factory=list)  # webhook ``EventSpec`` besides the escalations'

    def extend(self, other: "Plan") -> None:
        self.escalations += other.escalations
        self.events += other.events
        self.requests += other.requests
        self.hooks += other.hooks


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_MAX)


class _Batch:
    """The rules and people for one claimed batch, loaded in a constant number of queries."""

    def __init__(self, *, engagement_ids, path_ids, now):
        self.now = now
        self.paths = rules_for_paths(path_ids)
        self.coverage = coverage_for(engagement_ids, path_rules=self.paths)
        self.people = People(
            engagement_ids=engagement_ids,
            now=now,
            paths=list(self.paths.values()),
            rota_ids={c.rota_id for c in self.coverage.values() if c.rota_id},
        )
        self.followers = {}

    def load(self, flags) -> None:
        """What the per-flag planner needs besides the rules: each flag's engagement, owner and followers."""
        self.followers = followers_of([f.pk for f in flags])
        owners = User.objects.only(*PERSON_FIELDS).in_bulk({f.owner_id for f in flags if f.owner_id})
        for flag in flags:
            flag.engagement = self.people.engagement(flag.engagement_id)
            flag.owner = owners.get(flag.owner_id)


def _due(value, now) -> bool:
    return value is not None and value <= now


@dataclass(slots=True)
class _Line:
    """A timeline line to write (``FlagEvent``'s columns): thousands per batch, cheaper than model instances."""

    flag_id: int
    kind: str
    at: object
    body: str
    data: dict
    cycle: int
    level: int
    is_internal: bool
    once_key: str


@dataclass(slots=True)
class _Step:
    """An escalation to write (``Escalation``'s columns), as cheap as ``_Line``."""

    flag_id: int
    cycle: int
    level: int
    round: int
    reason: str
    due_at: object
    at: object
    owner: object

    @property
    def owner_id(self):
        return self.owner.pk if self.owner is not None else None

    def key(self) -> tuple:
        return (self.flag_id, self.cycle, self.level, self.round)


def _event(flag, kind, now, once_key, *, internal=False, body="", **data) -> _Line:
    return _Line(
        flag_id=flag.pk,
        kind=kind,
        at=now,
        body=body,
        data=data,
        cycle=flag.cycle,
        level=flag.level,
        is_internal=internal,
        once_key=once_key,
    )


def _plan_flag(flag: RedFlag, batch: _Batch, plan: Plan) -> None:
    now = batch.now
    coverage = batch.coverage[flag.engagement_id]
    path = batch.paths[flag.path_id]
    path.level(flag.level)  # a level the path no longer has is an error to record, not a silent skip
    if flag.status == FlagStatus.RESOLVED:
        if _due(flag.auto_close_at, now):
            flag.status = FlagStatus.CLOSED
            flag.closed_at = now
            timers.stop_all(flag)
            plan.events.append(_event(flag, EventKind.AUTO_CLOSED, now, f"autoclose:{flag.pk}:{flag.cycle}"))
            plan.requests += messages.requests_for(
                flag,
                event=f"redflag:{flag.pk}:closed:{flag.cycle}",
                kind="closed",
                staff=[flag.owner],
                clients=batch.followers.get(flag.pk, []),
            )
        return
    if flag.status not in RUNNING_STATUSES:
        # Waiting on the client (its timers are kept aside) or final: nothing is due.
        if flag.status == FlagStatus.WAITING:
            flag.refresh_next_due()
        else:
            timers.stop_all(flag)
        return

    last = flag.level >= path.last_level
    if _due(flag.ack_due_at, now):
        if last:
            _renotify(flag, batch, plan, due_at=flag.ack_due_at)
        else:
            _escalate(flag, batch, plan, reason=EscalationReason.ACKNOWLEDGE, due_at=flag.ack_due_at)
    elif _due(flag.renotify_at, now):
        _renotify(flag, batch, plan, due_at=flag.renotify_at)
    elif _due(flag.resolve_due_at, now):
        if last:
            due_at = flag.resolve_due_at
            flag.resolve_due_at = flag.resolve_warn_at = None
            key = f"missed:{flag.pk}:{flag.cycle}:{flag.level}"
            plan.events.append(_event(flag, EventKind.DEADLINE_MISSED, now, key, deadline="resolve"))
            level = path.level(flag.level)
            plan.requests += messages.requests_for(
                flag,
                event=key,
                kind="missed",
                staff=batch.people.told_on_entry(flag.engagement, level),
                category=messages.ESCALATION,
                due_at=due_at,
            )
        else:
            _escalate(flag, batch, plan, reason=EscalationReason.RESOLVE, due_at=flag.resolve_due_at)
    elif _due(flag.update_due_at, now):
        if last:
            due_at = flag.update_due_at
            key = f"quiet:{flag.pk}:{flag.cycle}:{flag.level}:{due_at.isoformat()}"
            plan.events.append(_event(flag, EventKind.QUIET, now, key, internal=True, deadline="update"))
            plan.requests += messages.requests_for(
                flag, event=key, kind="quiet", staff=[flag.owner], category=messages.ESCALATION, due_at=due_at
            )
            timers.start_update_timer(flag, coverage=coverage, path=path, now=now)
        else:
            _escalate(flag, batch, plan, reason=EscalationReason.QUIET, due_at=flag.update_due_at)
    _warnings(flag, batch, plan)
    flag.refresh_next_due()


def _warnings(flag: RedFlag, batch: _Batch, plan: Plan) -> None:
    """Breach warnings whose time has come, for deadlines not yet passed (a passed one acts instead)."""
    now = batch.now
    for deadline in ("ack", "resolve", "update"):
        warn_at = getattr(flag, f"{deadline}_warn_at")
        if not _due(warn_at, now):
            continue
        setattr(flag, f"{deadline}_warn_at", None)
        due_at = getattr(flag, f"{deadline}_due_at")
        if due_at is None or due_at <= now:
            continue
        what = {"ack": "acknowledge", "resolve": "resolve", "update": "update"}[deadline]
        key = f"warn:{flag.pk}:{flag.cycle}:{flag.level}:{deadline}:{due_at.isoformat()}"
        # A quiet flag reminds its owner; a deadline about to pass warns the whole current level.
        if deadline == "update":
            kind, kind_event, recipients = "quiet", EventKind.QUIET, [flag.owner]
        else:
            level = batch.paths[flag.path_id].level(flag.level)
            kind, kind_event = "warning", EventKind.WARNING
            recipients = [flag.owner, *batch.people.responsible(flag.engagement, level)]
        plan.events.append(_event(flag, kind_event, now, key, internal=True, deadline=what, due=due_at.isoformat()))
        if deadline != "update":
            plan.hooks.append(
                webhook_events.of_flag(
                    "red_flag.breach_warning",
                    flag,
                    key=f"breach:{flag.pk}:{deadline}:{due_at.isoformat()}",
                    deadline=what,
                    due=webhook_events.iso(due_at),
                )
            )
        plan.requests += messages.requests_for(
            flag, event=key, kind=kind, staff=recipients, category=messages.ESCALATION, what=what, due_at=due_at
        )


def _escalate(flag: RedFlag, batch: _Batch, plan: Plan, *, reason: str, due_at) -> None:
    now = batch.now
    coverage, path = batch.coverage[flag.engagement_id], batch.paths[flag.path_id]
    target = path.next_level(flag.level)
    timers.enter_level(flag, level=target, coverage=coverage, path=path, now=now)
    if reason == EscalationReason.QUIET or _due(flag.update_due_at, now):
        # The missed update escalated (or was missed during an outage too): the new level gets a full interval.
        timers.start_update_timer(flag, coverage=coverage, path=path, now=now)
    owner, told = route(flag, coverage=coverage, path=path, level=target, people=batch.people, now=now)
    flag.owner = owner
    escalation = _Step(
        flag_id=flag.pk, cycle=flag.cycle, level=target, round=0, reason=reason, due_at=due_at, at=now, owner=owner
    )
    plan.escalations.append((flag, escalation, told, True))


def _renotify(flag: RedFlag, batch: _Batch, plan: Plan, *, due_at) -> None:
    now = batch.now
    coverage, path = batch.coverage[flag.engagement_id], batch.paths[flag.path_id]
    if flag.renotify_count >= path.renotify_max:
        flag.ack_due_at = flag.ack_warn_at = flag.renotify_at = None
        return
    timers.renotify(flag, coverage=coverage, path=path, now=now)
    told = batch.people.told_on_entry(flag.engagement, path.level(flag.level))
    if flag.owner is not None and flag.owner.is_active:
        told = [flag.owner, *(p for p in told if p.pk != flag.owner_id)]
    escalation = _Step(
        flag_id=flag.pk,
        cycle=flag.cycle,
        level=flag.level,
        round=flag.renotify_count,
        reason=EscalationReason.RENOTIFY,
        due_at=due_at,
        at=now,
        owner=flag.owner,
    )
    plan.escalations.append((flag, escalation, told, False))


# --- Writing a batch, set-based ----------------------------------------------------------------------------------


class _SetBased:
    """PostgreSQL: each write is one statement over arrays, whatever the number of rows, and the common case climbs
    in SQL (``sweep_escalate``)."""

    @staticmethod
    def sort_out(rows, batch, now) -> tuple:
        return sweep_escalate.sort_out(rows, batch, now)

    @staticmethod
    def insert_escalations(rows: list[_Step]) -> set[tuple]:
        """Insert, skipping any that exist; returns the (flag, cycle, level, round) keys this call created."""
        table = Escalation._meta.db_table
        created = execute_bound(
            f"INSERT INTO {table} (flag_id, cycle, level, round, reason, due_at, at, by_id, owner_id)"
            " SELECT v.flag_id, v.cycle, v.level, v.round, v.reason, v.due_at, v.at, NULL, v.owner_id"
            " FROM unnest(%b::bigint[], %b::smallint[], %b::smallint[], %b::smallint[], %b::text[],"
            " %b::timestamptz[], %b::timestamptz[], %b::bigint[])"
            " AS v(flag_id, cycle, level, round, reason, due_at, at, owner_id)"
            " ON CONFLICT DO NOTHING RETURNING flag_id, cycle, level, round",
            [
                *columns(rows, "flag_id", "cycle", "level", "round"),
                [str(r.reason) for r in rows],
                *columns(rows, "due_at", "at", "owner_id"),
            ],
            fetch=True,
        )
        return {tuple(row) for row in created}

    @staticmethod
    def insert_events(events: list[_Line]) -> None:
        """The timeline lines; one that exists (its ``once_key``, from a racing sweep) is skipped."""
        encoder = FlagEvent._meta.get_field("data").encoder
        execute_bound(
            f"INSERT INTO {FlagEvent._meta.db_table} (flag_id, kind, at, body, data, cycle, level, is_internal,"
            " once_key, actor_id) SELECT v.flag_id, v.kind, v.at, v.body, v.data::jsonb, v.cycle, v.level,"
            " v.is_internal, v.once_key, NULL FROM unnest(%b::bigint[], %b::text[], %b::timestamptz[], %b::text[],"
            " %b::text[], %b::smallint[], %b::smallint[], %b::boolean[], %b::text[])"
            " AS v(flag_id, kind, at, body, data, cycle, level, is_internal, once_key) ON CONFLICT DO NOTHING",
            [
                *columns(events, "flag_id"),
                [str(e.kind) for e in events],
                *columns(events, "at", "body"),
                [json.dumps(e.data, cls=encoder) for e in events],
                *columns(events, "cycle", "level", "is_internal", "once_key"),
            ],
        )

    @staticmethod
    def update_flags(entries: list[tuple], fields) -> None:
        """Each flag's new state, only where it still has the level and cycle the plan saw."""
        table = RedFlag._meta.db_table
        columns = [f.column for f in fields]
        types = [f.db_type(connection) for f in fields]
        assignments = ", ".join(f"{column} = v.{column}" for column in columns)
        arrays = ", ".join(f"%b::{db_type}[]" for db_type in ["bigint", "smallint", "smallint", *types])
        names = ", ".join(["id", "expected_level", "expected_cycle", *columns])
        values = [
            [flag.pk for flag, _level, _cycle in entries],
            [level for _flag, level, _cycle in entries],
            [cycle for _flag, _level, cycle in entries],
        ]
        values += [[getattr(flag, f.attname) for flag, _level, _cycle in entries] for f in fields]
        execute_bound(
            f"UPDATE {table} AS f SET {assignments} FROM unnest({arrays}) AS v({names})"
            " WHERE f.id = v.id AND f.level = v.expected_level AND f.cycle = v.expected_cycle",
            values,
        )


class _OneProcess:
    """SQLite (development only): the ORM's bulk writes, one process (so what does not exist yet is what a call
    creates), and the planner decides every flag."""

    @staticmethod
    def sort_out(rows, batch, now) -> tuple:
        return sweep_escalate.Climbing(), [row[0] for row in rows]

    @staticmethod
    def insert_escalations(rows: list[_Step]) -> set[tuple]:
        keys = {r.key() for r in rows}
        existing = {
            tuple(row)
            for row in Escalation.objects.filter(flag_id__in={r.flag_id for r in rows}).values_list(
                "flag_id", "cycle", "level", "round"
            )
        }
        Escalation.objects.bulk_create(
            [
                Escalation(**{name: getattr(r, name) for name in _Step.__slots__})
                for r in rows
                if r.key() not in existing
            ]
        )
        return keys - existing

    @staticmethod
    def insert_events(events: list[_Line]) -> None:
        FlagEvent.objects.bulk_create(
            [FlagEvent(**{name: getattr(e, name) for name in _Line.__slots__}) for e in events],
            ignore_conflicts=True,
            batch_size=2000,
        )

    @staticmethod
    def update_flags(entries: list[tuple], fields) -> None:
        RedFlag.objects.bulk_update([flag for flag, _level, _cycle in entries], [f.name for f in fields])


def _database():
    # The one place the sweep asks which database it runs on.
    return _SetBased if connection.vendor == "postgresql" else _OneProcess


def _insert_escalations(rows: list[_Step]) -> set[tuple]:
    return _database().insert_escalations(rows) if rows else set()


def _insert_events(events: list[_Line]) -> None:
    if events:
        _database().insert_events(events)


def _update_flags(entries: list[tuple]) -> None:
    if entries:
        _database().update_flags(entries, [RedFlag._meta.get_field(name) for name in WRITTEN])


def _write(plan: Plan, batch: "_Batch", now) -> int:
    created = _insert_escalations([escalation for _flag, escalation, _told, _entry in plan.escalations])
    hooks = list(plan.hooks)
    for flag, escalation, told, entry in plan.escalations:
        if escalation.key() not in created:
            continue  # Made already (by a racing sweep): its notifications went with it.
        name = messages.escalation_event(flag.pk, escalation.cycle, escalation.level, escalation.round)
        if entry:
            plan.events.append(
                _event(flag, EventKind.ESCALATED, now, name, reason=escalation.reason, to_level=escalation.level)
            )
            plan.requests += messages.escalation_requests(
                flag,
                staff=told,
                clients=batch.followers.get(flag.pk, []),
                reason=escalation.reason,
                level_name=batch.paths[flag.path_id].level(escalation.level).name,
            )
            hooks += webhook_events.escalated_of(
                flag, level=escalation.level, reason=escalation.reason, missed=escalation.due_at, key=name
            )
        else:
            plan.events.append(_event(flag, EventKind.RENOTIFIED, now, name, round=escalation.round))
            plan.requests += messages.requests_for(
                flag,
                event=name,
                kind="renotify",
                staff=told,
                category=messages.ESCALATION,
                round=escalation.round,
                rounds=batch.paths[flag.path_id].renotify_max,
            )
    _insert_events(plan.events)
    _update_flags(plan.flags)
    if plan.requests:
        # Deferred: one fan-out row per event ("who must be told of what"), expanded into the outbox rows by the
        # relay after commit. Rendering every subject per reader language here took two thirds of the batch.
        notify_many(plan.requests, now=now, deferred=True)
    emit_many(hooks, now=now)  # one statement for the batch's webhook events, whatever the endpoints
    return len(created)


def _plan_one_by_one(flag_ids, batch: _Batch, now) -> None:
    """The per-flag planner, for what the SQL path leaves (see the module docstring), written set-based."""
    flags = list(RedFlag.objects.defer(*UNREAD).filter(pk__in=flag_ids).order_by("next_due_at", "pk"))
    batch.load(flags)
    plan = Plan()
    for flag in flags:
        expected = (flag.level, flag.cycle)
        own = Plan()
        try:
            _plan_flag(flag, batch, own)
        except Exception as error:
            logger.exception("Red flag %s could not be swept", flag.pk)
            # Start again from the locked row: nothing the planner half-did for it may be written.
            flag.refresh_from_db()
            flag.sweep_attempts += 1
            flag.sweep_error = f"{type(error).__name__}: {error}"[:2000]
            flag.next_due_at = now + _backoff(flag.sweep_attempts)
        else:
            plan.extend(own)
            flag.sweep_attempts, flag.sweep_error = 0, ""
        flag.updated_at = now
        plan.flags.append((flag, *expected))
    _write(plan, batch, now)


def escalation_sweep_batch(*, now=None, limit: int | None = None) -> int:
    """Claim one batch of due flags and act on them in one transaction (see the module docstring). Returns the
    number of flags claimed."""
    now = now or timezone.now()
    limit = limit or settings.ESCALATIONS_SWEEP_BATCH
    with transaction.atomic():
        rows = list(
            RedFlag.objects.due(now)
            .order_by("next_due_at")
            .select_for_update(skip_locked=True)
            .values_list(*sweep_escalate.CLAIMED)[:limit]
        )
        if not rows:
            return 0
        batch = _Batch(
            engagement_ids={row[1] for row in rows}, path_ids={row[2] for row in rows if row[2] is not None}, now=now
        )
        climbing, rest = _database().sort_out(rows, batch, now)
        if rest:
            _plan_one_by_one(rest, batch, now)
        sweep_escalate.climb(climbing, now)
        # The set-based statements changed these engagements' flags: their figures follow in this transaction.
        figures_refresh({row[1] for row in rows}, now=now)
    return len(rows)


def escalation_sweep(*, now=None, time_budget: float | None = None, on_backlog=None) -> int:
    """Sweep batch after batch until nothing is due or the time budget is spent (the next tick goes on).

    ``on_backlog`` is called once, before sweeping, when more flags are due than one batch (after an outage): the
    tick asks idle workers to sweep beside it (``tasks.sweep``). Their claims skip each other's locked rows, so
    they share the backlog without waiting for or doubling each other. Asked outside any transaction, so a broker
    that is slow to answer holds no row locks."""
    started = time.monotonic()
    budget = settings.ESCALATIONS_SWEEP_TIME_BUDGET if time_budget is None else time_budget
    if on_backlog is not None and RedFlag.objects.more_due_than(
        settings.ESCALATIONS_SWEEP_BATCH, now or timezone.now()
    ):
        on_backlog()
    total = 0
    while time.monotonic() - started < budget:
        claimed = escalation_sweep_batch(now=now)
        if not claimed:
            break
        total += claimed
    return total
