"""The sweep's common case in SQL: flags that missed their acknowledge deadline climb to the next level.

After an outage, or on any busy tick, nearly every due flag is one that was not acknowledged in time and is not at
its path's last level. What happens to it depends only on its group: the engagement (who the next level means, the
calendar its deadlines count in), its path, its level and its severity. So the sweep:

1. sorts the claimed rows (plain tuples, no model instances) into groups, and works out each group ONCE in Python:
   the next level, the columns entering it sets (``timers.deadlines_for`` and ``timers.entry_state``, the rules
   every path uses; worked out once per calendar and level, since every group counting in that calendar gets the
   same instants), the new owner and who is told on entry (``route``), and what the notifications say
   (``messages.context_for``, encoded once);
2. writes the escalations, their timeline lines and the flags' new state in ONE statement (``INSERT ... SELECT``
   and ``UPDATE ... FROM`` joining the flags with the groups' arrays; an escalation only where none exists for the
   flag, cycle and level, so a racing sweep makes none twice, and a timeline line only for an escalation this
   statement made);
3. tells of them through notifications' typed writer (``FanoutRows``, ``fanout_rows_write``: one ``INSERT ... SELECT
   FROM unnest``; the relay expands the rows), from what the statement of 2. returns of each escalation it made (the
   flag's title, engagement name and client followers, found by joins): one fan-out row per new escalation and side,
   as ``messages.escalation_requests`` would write them; but where the batch escalated more than
   ``ESCALATIONS_GROUP_NOTICES_ABOVE`` flags of one engagement to one level, one row for the staff told and one per
   client follower for them all (a hundred notices per person at once is an alert storm nobody reads, and most of the
   relay's work). Such a group notice's event is the group's key and the smallest escalation id it covers (the ids
   are drawn before the ``INSERT``, which writes each escalation naming its notice in ``notice_event``), so a re-run
   or a racing sweep, which makes none of those escalations again, writes it once, and each escalation is told of by
   exactly one fan-out row.

Anything else (a flag with other timers due at the same time, a last level, a path missing a level or a deadline,
a deadline whose warning would already be due) goes through the per-flag planner in ``sweep``, which decides the
same way for any flag. Queries per batch stay constant.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.urls import reverse

from accounts.models import CLIENT_ROLES, User
from notifications.bulk import execute_bound
from notifications.services import FanoutRows, fanout_rows_write
from webhooks.services import emit_many

from .. import messages, timers, webhook_events
from ..models import (
    RUNNING_STATUSES,
    TIMER_FIELDS,
    Escalation,
    EscalationReason,
    EventKind,
    FlagEvent,
    FlagFollower,
    RedFlag,
    next_due_sql,
)
from ..recipients import route
from ._common import columns

# What the sweep claims of each due flag: enough to sort it into a group; the planner loads the rest if needed.
CLAIMED = (
    "id",
    "engagement_id",
    "path_id",
    "level",
    "severity",
    "status",
    "ack_due_at",
    "update_warn_at",
    "update_due_at",
    "cycle",
)
_RUNNING = frozenset(str(status) for status in RUNNING_STATUSES)
_REASON = str(EscalationReason.ACKNOWLEDGE)
_encode = FanoutRows.encode


@dataclass(slots=True)
class _Group:
    """Flags of one engagement, path, level and severity entering the next level at ``now``."""

    index: int
    engagement_id: int
    severity: str
    notice: str  # what a group notice's event starts with: the flags of one engagement entering one level
    level_name: str
    to_level: int
    entry: dict  # ``timers.entry_state``: the columns the flags take
    owner_id: int | None
    staff_context: str  # encoded ``messages.context_for``, but the flag's own words
    client_context: str
    staff_ids: list  # the staff told (the owner first)
    staff: str  # the same, as ``FanoutRows`` takes them


@dataclass
class Climbing:
    """The claimed flags that climb in SQL: their ids, their group's index, and the groups."""

    ids: list = field(default_factory=list)
    cycles: list = field(default_factory=list)
    levels: list = field(default_factory=list)
    missed: list = field(default_factory=list)  # each flag's acknowledge deadline it missed
    events: list = field(default_factory=list)  # each escalation's occurrence (``messages.escalation_event``)
    group_of: list = field(default_factory=list)
    groups: list = field(default_factory=list)


class _Memo:
    """What groups share, worked out once per batch: the deadlines of a level entered at ``now`` (the same for every
    engagement counting in the same calendar) and what the notification says (the same for every engagement)."""

    def __init__(self, now):
        self.now = now
        self.deadlines, self._contexts = {}, {}

    def contexts(self, path, target, severity, ack_due) -> tuple[str, str]:
        key = (path.path_id, target, severity, ack_due)
        found = self._contexts.get(key)
        if found is None:
            said = messages.escalated(reason=_REASON, level_name=path.levels[target].name, due_at=ack_due)
            found = self._contexts[key] = tuple(
                _encode(messages.context_for(kind, severity=severity, level=target, **said))
                for kind in ("escalated", messages.client_kind("escalated"))
            )
        return found


def _group(key, batch, memo: _Memo, index) -> _Group | None:
    """Work out a group once; ``None`` when the per-flag planner must decide (an odd path, an immediate warning)."""
    engagement_id, path_id, level, severity = key
    path = batch.paths.get(path_id)
    coverage = batch.coverage.get(engagement_id)
    if path is None or coverage is None or level not in path.levels:
        return None
    target = path.next_level(level)
    if target is None or target == min(path.levels):
        return None  # the last level re-notifies; the first one may take the contract's targets: the planner's
    now = memo.now
    # Not the first level, so no contract's targets (nor the raise day they depend on) apply. A missing deadline
    # raises, and the planner records it.
    deadlines = timers.deadlines_for(
        level=target, severity=severity, coverage=coverage, path=path, now=now, on=None, cache=memo.deadlines
    )
    if deadlines.ack_warn_at <= now or deadlines.resolve_warn_at <= now:
        return None  # a warning due at once is sent by the planner
    owner, told = route(
        _Flag(engagement_id=engagement_id, severity=severity),
        coverage=coverage,
        path=path,
        level=target,
        people=batch.people,
        now=now,
    )
    staff_context, client_context = memo.contexts(path, target, severity, deadlines.ack_due_at)
    staff = [person.pk for person in told if person is not None and not person.is_client_user]
    return _Group(
        index=index,
        engagement_id=engagement_id,
        severity=severity,
        notice=f"escalations-group:{engagement_id}:{target}:{_REASON}:",
        level_name=str(path.levels[target].name),
        to_level=target,
        entry=timers.entry_state(target, deadlines, now),
        owner_id=owner.pk if owner is not None else None,
        staff_context=staff_context,
        client_context=client_context,
        staff_ids=staff,
        staff=FanoutRows.encode_recipients(staff),
    )


@dataclass(slots=True)
class _Flag:
    """What ``route`` reads of a flag: a group's flags share it."""

    engagement_id: int
    severity: str


def sort_out(rows, batch, now) -> tuple[Climbing, list[int]]:
    """Split the claimed rows (``CLAIMED`` tuples) into the flags that climb in SQL and the ids for the planner."""
    climbing, rest, groups, memo = Climbing(), [], {}, _Memo(now)
    for pk, engagement_id, path_id, level, severity, status, ack_due, update_warn, update_due, cycle in rows:
        if (
            status not in _RUNNING
            or ack_due is None
            or ack_due > now
            or (update_due is not None and update_due <= now)
            or (update_warn is not None and update_warn <= now)
        ):
            rest.append(pk)
            continue
        key = (engagement_id, path_id, level, severity)
        group = groups.get(key, False)
        if group is False:
            try:
                group = _group(key, batch, memo, len(climbing.groups))
            except Exception:  # the planner records the error on each flag and backs it off
                group = None
            groups[key] = group
            if group is not None:
                climbing.groups.append(group)
        if group is None:
            rest.append(pk)
        else:
            climbing.ids.append(pk)
            climbing.cycles.append(cycle)
            climbing.levels.append(level)
            climbing.missed.append(ack_due)
            climbing.events.append(messages.escalation_event(pk, cycle, group.to_level))
            climbing.group_of.append(group.index)
    return climbing, rest


def _entry_columns(groups) -> tuple[dict[str, str], list, dict]:
    """The columns of ``timers.entry_state`` in the groups' SQL: each one the groups share as one parameter, each
    other one as a column of the groups' relation (``g.new_<name>``, an array per column). Returns each column's
    SQL expression, the arrays (name, type, values) and the shared values by name."""
    expressions, arrays, shared = {}, [], {}
    for name in groups[0].entry:
        db_type = RedFlag._meta.get_field(name).db_type(connection)
        values = [group.entry[name] for group in groups]
        if all(value == values[0] for value in values):
            expressions[name] = f"%s::{db_type}"
            shared[name] = values[0]
        else:
            expressions[name] = f"c.new_{name}"
            arrays.append((name, db_type, values))
    return expressions, arrays, shared


def climb(climbing: Climbing, now) -> int:
    """Write the escalations, timeline lines, flag updates and fan-out rows of ``climbing``; returns how many
    escalations were made (one that exists already, from a racing sweep, is neither made nor told again)."""
    if not climbing.ids:
        return 0
    flags, escalations, events = RedFlag._meta.db_table, Escalation._meta.db_table, FlagEvent._meta.db_table
    engagements = RedFlag._meta.get_field("engagement").related_model._meta.db_table
    groups = climbing.groups
    expressions, arrays, shared = _entry_columns(groups)
    # The flag's new state: the columns of entering the level, its owner, and its next due time from the one list
    # of timers (``next_due_sql``: the new ones where entering the level sets them, else the flag's own).
    timers_set = {name: expressions[name] for name in TIMER_FIELDS if name in expressions}
    assignments = [f"{name} = {expression}" for name, expression in expressions.items()]
    assignments.append(f"next_due_at = {next_due_sql('f', timers_set)}")
    # The shared values in the order their placeholders come: the assignments', then those of ``next_due_sql``.
    set_params = [shared[name] for name in expressions if name in shared]
    set_params += [shared[name] for name in TIMER_FIELDS if name in timers_set and name in shared]
    made = execute_bound(
        "WITH g AS (SELECT * FROM unnest(%b::int[], %b::text[], %b::smallint[], %b::bigint[]"
        + "".join(f", %b::{db_type}[]" for _name, db_type, _values in arrays)
        + ") AS g(gid, notice, to_level, owner_id"
        + "".join(f", new_{name}" for name, _type, _values in arrays)
        + ")),"
        # The claimed flags as the sweep read them under their row locks, with their group's next step.
        " c AS (SELECT v.id, v.cycle, v.level, v.missed_at, v.once_key, g.*"
        " FROM unnest(%b::bigint[], %b::int[], %b::smallint[], %b::timestamptz[], %b::text[], %b::int[])"
        " AS v(id, cycle, level, missed_at, once_key, gid) JOIN g ON g.gid = v.gid),"
        # The escalations to make, numbered before they are written so that each names its group notice (whose
        # event ends in the group's smallest id) in the same INSERT. One that exists already (a racing sweep made
        # it) is left out: it is neither made nor told again. None can appear meanwhile (every writer of an
        # escalation holds its flag's row lock, as this sweep does), and escalations and timeline lines are never
        # deleted but with their flag; so both INSERTs are plain ones: ON CONFLICT's speculative insertion cost
        # a tenth of the statement and a WAL record per row for a conflict that cannot happen.
        f" fresh AS MATERIALIZED (SELECT c.*, nextval(pg_get_serial_sequence('{escalations}', 'id')) AS eid FROM c"
        f" WHERE NOT EXISTS (SELECT 1 FROM {escalations} x WHERE x.flag_id = c.id AND x.cycle = c.cycle"
        " AND x.level = c.to_level AND x.round = 0)),"
        " numbered AS (SELECT fresh.*, CASE WHEN count(*) OVER w > %s THEN fresh.notice || min(fresh.eid) OVER w"
        " END AS notice_event FROM fresh WINDOW w AS (PARTITION BY fresh.notice)),"
        f" esc AS (INSERT INTO {escalations} (id, flag_id, cycle, level, round, reason, due_at, at, by_id, owner_id,"
        " notice_event) SELECT n.eid, n.id, n.cycle, n.to_level, 0, %s, n.missed_at, %s, NULL, n.owner_id,"
        " n.notice_event FROM numbered n RETURNING id, flag_id, notice_event),"
        " made AS (SELECT c.*, esc.id AS escalation_id, esc.notice_event FROM c JOIN esc ON esc.flag_id = c.id),"
        f" line AS (INSERT INTO {events} (flag_id, kind, at, body, data, cycle, level, is_internal, once_key,"
        " actor_id) SELECT made.id, %s, %s, '', jsonb_build_object('reason', %s::text, 'to_level', made.to_level),"
        " made.cycle, made.to_level, false, made.once_key, NULL FROM made),"
        # Only where the flag still has the level and cycle it was claimed with (it is locked: always, but cheap).
        f" moved AS (UPDATE {flags} AS f SET {', '.join(assignments)}, owner_id = c.owner_id, sweep_attempts = 0,"
        " sweep_error = '', updated_at = %s"
        " FROM c WHERE f.id = ANY(%b::bigint[]) AND f.id = c.id AND f.level = c.level AND f.cycle = c.cycle),"
        # What the notifications need of each flag: its own words and the client's people following it (reporter
        # and merged reporters), active ones, in the order they came; reached through the ids (primary key,
        # follower index).
        f" said AS MATERIALIZED (SELECT f.id, f.title, e.name AS engagement_name, e.client_id FROM {flags} f"
        f" JOIN {engagements} e ON e.id = f.engagement_id WHERE f.id = ANY(%b::bigint[])),"
        " told AS MATERIALIZED (SELECT r.flag_id, array_agg(u.id ORDER BY r.id) AS ids"
        f" FROM {FlagFollower._meta.db_table} r JOIN {User._meta.db_table} u ON u.id = r.user_id"
        " WHERE r.flag_id = ANY(%b::bigint[]) AND u.is_active AND u.role = ANY(%s::text[]) GROUP BY r.flag_id)"
        " SELECT made.id, made.gid, made.escalation_id, made.notice_event, made.once_key, said.title,"
        " said.engagement_name, told.ids, said.client_id, made.cycle, made.missed_at"
        " FROM made JOIN said ON said.id = made.id"
        " LEFT JOIN told ON told.flag_id = made.id",
        [
            *columns(groups, "index", "notice", "to_level", "owner_id"),
            *(values for _name, _type, values in arrays),
            climbing.ids,
            climbing.cycles,
            climbing.levels,
            climbing.missed,
            climbing.events,
            climbing.group_of,
            settings.ESCALATIONS_GROUP_NOTICES_ABOVE,
            _REASON,
            now,
            str(EventKind.ESCALATED),
            now,
            _REASON,
            *set_params,
            now,
            climbing.ids,
            climbing.ids,
            climbing.ids,
            sorted(CLIENT_ROLES),
        ],
        fetch=True,
    )
    if made:
        each, grouped = [], {}
        for row in made:  # (flag, group index, escalation, its group notice or None, event, title, engagement, told)
            if row[3] is None:
                each.append(row)
            else:
                grouped.setdefault(row[3], []).append(row)
        rows = FanoutRows(category=messages.ESCALATION, template=messages.TEMPLATE, target=RedFlag)
        _tell(rows, each, groups)
        fanout_rows_write(rows, now=now)
        if grouped:
            fanout_rows_write(_tell_groups(grouped, groups), now=now)
        emit_many(_hooks(made, groups), now=now)
    return len(made)


def _hooks(made, groups) -> list:
    """The webhook events of the escalations made, from the rows the statement returned (one ``emit_many``)."""
    specs = []
    for row in made:
        group = groups[row[1]]
        specs += webhook_events.escalated(
            flag_id=row[0],
            engagement_id=group.engagement_id,
            client_id=row[8],
            severity=group.severity,
            level=group.to_level,
            cycle=row[9],
            reason=_REASON,
            missed=row[10],
            key=row[4],
        )
    return specs


def _tell(rows: FanoutRows, made, groups) -> None:
    """One fan-out row per new escalation for the staff told on entry and one for the client's followers, as
    ``messages.escalation_requests`` would write them (built a column at a time: thousands of rows per batch)."""
    with_words, side_event, flag_url = FanoutRows.with_words, messages.side_event, messages.flag_url
    said = [FanoutRows.words(**messages.words(title=row[5], engagement_name=row[6])) for row in made]
    for side, url_name, context_of, recipients_of in (
        (messages.STAFF, "escalations:flag", "staff_context", lambda row: groups[row[1]].staff),
        (messages.CLIENT, "portal:flag", "client_context", lambda row: row[7]),
    ):
        told = [(row, words) for row, words in zip(made, said, strict=True) if recipients_of(row) not in (None, "[]")]
        rows.add_columns(
            events=[side_event(row[4], side) for row, _words in told],
            contexts=[with_words(getattr(groups[row[1]], context_of), words) for row, words in told],
            urls=[flag_url(url_name, row[0]) for row, _words in told],
            recipients=[recipients_of(row) for row, _words in told],
            targets=[row[0] for row, _words in told],
        )


# How many titles a group notice lists (the link opens the rest).
TITLES_LISTED = 5


def _listed(flags: list[tuple]) -> dict:
    """A group notice's count and first titles of ``flags`` ((id, title), in id order)."""
    titles = [title for _pk, title in flags[:TITLES_LISTED]]
    return {"count": len(flags), "titles": titles, "more": len(flags) - len(titles)}


def _tell_groups(grouped: dict, groups) -> FanoutRows:
    """The group notices' fan-out rows (``{event: rows of climb}``): one for the staff told of any of the group's
    flags, one per client person following some of them (their own count and titles), each linking to the list
    rather than to one flag."""
    rows = FanoutRows(category=messages.ESCALATION, template=messages.TEMPLATE)
    flag_list, client_url = reverse("escalations:flag_list"), reverse("portal:flags")
    for event, made in grouped.items():
        members = [groups[gid] for gid in dict.fromkeys(row[1] for row in made)]
        engagement_id, level = members[0].engagement_id, members[0].to_level
        said = {
            "level": level,
            "level_name": members[0].level_name,
            "reason": _REASON,
            "due_at": min(member.entry["ack_due_at"] for member in members),
        }
        listed = {"engagement_name": made[0][6]}
        # Everyone told of any of the flags, the owners first, once.
        staff = list(dict.fromkeys(pk for member in members for pk in member.staff_ids))
        if staff:
            rows.add(
                event=f"{event}:staff",
                context=_encode(
                    {
                        **messages.grouped("escalated_group", **said),
                        **listed,
                        **_listed(sorted((r[0], r[5]) for r in made)),
                    }
                ),
                url=f"{flag_list}?{urlencode({'engagement': engagement_id, 'level': level})}",
                recipient_ids=staff,
            )
        theirs = {}
        for flag_id, _gid, _escalation, _notice, _event, title, _engagement, followers, *_webhook in made:
            for user_id in followers or ():
                theirs.setdefault(user_id, []).append((flag_id, title))
        for user_id, flags in theirs.items():
            rows.add(
                event=f"{event}:client:{user_id}",
                context=_encode(
                    {**messages.grouped("escalated_group_client", **said), **listed, **_listed(sorted(flags))}
                ),
                url=client_url,
                recipient_ids=[user_id],
            )
    return rows
