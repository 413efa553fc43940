"""The sweep's common case in SQL: flags that missed their acknowledge deadline climb to the next level.

After an outage, or on any busy tick, nearly every due flag is one that was not acknowledged in time and is not at
its path's last level. What happens to it depends only on its group: the engagement (who the next level means, the
calendar its deadlines count in), its path, its level and its severity. So the sweep:

1. sorts the claimed rows (plain tuples, no model instances) into groups, and works out each group ONCE in Python:
   the next level, its acknowledge and resolve deadlines and their breach warnings from ``now`` (``timers``' rules;
   worked out once per calendar and level, since every group counting in that calendar gets the same instants),
   the new owner and who is told on entry (``route``);
2. writes the escalations, their timeline lines and the flags' new state in ONE statement (``INSERT ... SELECT``
   and ``UPDATE ... FROM`` joining the flags with the groups' arrays; an escalation only where none exists for the
   flag, cycle and level, so a racing sweep makes none twice, and a timeline line only for an escalation this
   statement made);
3. tells of them (``notifications.services.fanout.fanout_write_select``, one ``INSERT ... SELECT`` each; the relay
   expands the rows): one fan-out row per new escalation and side (staff, and the client's followers found by a
   join); but where the batch escalated more than ``ESCALATIONS_GROUP_NOTICES_ABOVE`` flags of one engagement to one
   level, one row for the staff told and one per client follower for them all (a hundred notices per person at once
   is an alert storm nobody reads, and most of the relay's work). Such a group notice's event is the group's key
   and the smallest escalation id it covers (the ids are drawn before the ``INSERT``, which writes each escalation
   naming its notice in ``notice_event``), so a re-run or a racing sweep, which makes none of those escalations
   again, writes it once, and each escalation is told of by exactly one fan-out row.

Anything else (a flag with other timers due at the same time, a last level, a path missing a level or a deadline,
a deadline whose warning would already be due) goes through the per-flag planner in ``sweep``, which decides the
same way for any flag. Queries per batch stay constant.
"""

import json
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from accounts.models import CLIENT_ROLES, User
from notifications.bulk import execute_bound
from notifications.services import NotifyRequest
from notifications.services.fanout import fanout_write_select

from .. import messages
from ..models import RUNNING_STATUSES, Escalation, EscalationReason, EventKind, FlagEvent, FlagFollower, RedFlag
from ..recipients import route

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
_encode = DjangoJSONEncoder().encode
_REASON = str(EscalationReason.ACKNOWLEDGE)


@dataclass(slots=True)
class _Group:
    """Flags of one engagement, path, level and severity entering the next level at ``now``."""

    index: int
    engagement_id: int
    notice: str  # what a group notice's event starts with: the flags of one engagement entering one level
    level_name: str
    to_level: int
    ack_due: object
    ack_warn: object
    resolve_due: object
    resolve_warn: object
    owner_id: int | None
    staff_context: str  # JSON of what the staff's notification says, but the flag's title and engagement name
    client_context: str
    staff_ids: str  # JSON list of the staff told (the owner first); "[]" when nobody


@dataclass
class Climbing:
    """The claimed flags that climb in SQL: their ids, their group's index, and the groups."""

    ids: list = field(default_factory=list)
    cycles: list = field(default_factory=list)
    levels: list = field(default_factory=list)
    missed: list = field(default_factory=list)  # each flag's acknowledge deadline it missed
    group_of: list = field(default_factory=list)
    groups: list = field(default_factory=list)


class _Memo:
    """What groups share, worked out once per batch: the deadlines of a level entered at ``now`` (the same for every
    engagement counting in the same calendar) and what the notification says (the same for every engagement)."""

    def __init__(self, now):
        self.now = now
        self._deadlines, self._contexts = {}, {}

    def deadlines(self, clock, acknowledge, resolve, share) -> tuple:
        key = (id(clock), acknowledge, resolve, share)
        found = self._deadlines.get(key)
        if found is None:
            now = self.now
            found = self._deadlines[key] = (
                clock.add(now, acknowledge),
                clock.scaled(now, acknowledge, share),
                clock.add(now, resolve),
                clock.scaled(now, resolve, share),
            )
        return found

    def contexts(self, path, target, severity, ack_due) -> tuple[str, str]:
        key = (path.path_id, target, severity, ack_due)
        found = self._contexts.get(key)
        if found is None:
            context = {
                "severity": severity,
                "level": target,
                "reason": str(EscalationReason.ACKNOWLEDGE),
                "level_name": path.levels[target].name,
                "due_at": ack_due,
            }
            found = self._contexts[key] = (
                _encode({"kind": "escalated", **context}),
                _encode({"kind": "escalated_client", **context}),
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
    deadlines = path.levels[target].targets.get(severity)
    if deadlines is None:
        return None
    # The same rules as ``timers.enter_level`` (the level's deadlines from now, warnings at the path's share).
    ack_due, ack_warn, resolve_due, resolve_warn = memo.deadlines(coverage.clock, *deadlines, path.warning_share)
    if ack_warn <= memo.now or resolve_warn <= memo.now:
        return None  # a warning due at once is sent by the planner
    owner, told = route(
        SimpleNamespace(engagement_id=engagement_id, severity=severity),
        coverage=coverage,
        path=path,
        level=target,
        people=batch.people,
        now=memo.now,
    )
    staff_context, client_context = memo.contexts(path, target, severity, ack_due)
    staff = [person.pk for person in told if person is not None and not person.is_client_user]
    return _Group(
        index=index,
        engagement_id=engagement_id,
        notice=f"escalations-group:{engagement_id}:{target}:{_REASON}:",
        level_name=str(path.levels[target].name),
        to_level=target,
        ack_due=ack_due,
        ack_warn=ack_warn,
        resolve_due=resolve_due,
        resolve_warn=resolve_warn,
        owner_id=owner.pk if owner is not None else None,
        staff_context=staff_context,
        client_context=client_context,
        staff_ids=json.dumps(staff),
    )


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
            climbing.group_of.append(group.index)
    return climbing, rest


def _group_arrays(groups) -> list:
    return [
        [g.index for g in groups],
        [g.notice for g in groups],
        [g.to_level for g in groups],
        [g.ack_due for g in groups],
        [g.ack_warn for g in groups],
        [g.resolve_due for g in groups],
        [g.resolve_warn for g in groups],
        [g.owner_id for g in groups],
        [g.staff_context for g in groups],
        [g.client_context for g in groups],
        [g.staff_ids for g in groups],
    ]


_GROUPS = (
    "unnest(%b::int[], %b::text[], %b::smallint[], %b::timestamptz[], %b::timestamptz[], %b::timestamptz[],"
    " %b::timestamptz[], %b::bigint[], %b::text[], %b::text[], %b::text[]) AS g(gid, notice, to_level, ack_due,"
    " ack_warn, resolve_due,"
    " resolve_warn, owner_id, staff_context, client_context, staff_ids)"
)


def climb(climbing: Climbing, now) -> int:
    """Write the escalations, timeline lines, flag updates and fan-out rows of ``climbing``; returns how many
    escalations were made (one that exists already, from a racing sweep, is neither made nor told again)."""
    if not climbing.ids:
        return 0
    flags, escalations, events = RedFlag._meta.db_table, Escalation._meta.db_table, FlagEvent._meta.db_table
    reason = str(EscalationReason.ACKNOWLEDGE)
    made = execute_bound(
        f"WITH g AS (SELECT * FROM {_GROUPS}),"
        # The claimed flags as the sweep read them under their row locks, with their group's next step.
        " c AS (SELECT v.id, v.cycle, v.level, v.missed_at, g.*"
        " FROM unnest(%b::bigint[], %b::int[], %b::smallint[], %b::timestamptz[], %b::int[])"
        " AS v(id, cycle, level, missed_at, gid) JOIN g ON g.gid = v.gid),"
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
        " made.cycle, made.to_level, false, 'escalation:' || made.id || ':' || made.cycle || ':' || made.to_level"
        " || ':0', NULL FROM made),"
        # Only where the flag still has the level and cycle it was claimed with (it is locked: always, but cheap).
        f" moved AS (UPDATE {flags} AS f SET level = c.to_level, owner_id = c.owner_id, level_entered_at = %s,"
        " level_acknowledged_at = NULL, renotify_count = 0, renotify_at = NULL, ack_due_at = c.ack_due,"
        " ack_warn_at = c.ack_warn, resolve_due_at = c.resolve_due, resolve_warn_at = c.resolve_warn,"
        " next_due_at = LEAST(c.ack_warn, c.ack_due, c.resolve_warn, c.resolve_due, f.update_warn_at,"
        " f.update_due_at, f.auto_close_at), sweep_attempts = 0, sweep_error = '', updated_at = %s"
        " FROM c WHERE f.id = ANY(%b::bigint[]) AND f.id = c.id AND f.level = c.level AND f.cycle = c.cycle)"
        " SELECT made.id, made.gid, made.escalation_id, made.notice_event FROM made",
        [
            *_group_arrays(climbing.groups),
            climbing.ids,
            climbing.cycles,
            climbing.levels,
            climbing.missed,
            climbing.group_of,
            settings.ESCALATIONS_GROUP_NOTICES_ABOVE,
            reason,
            now,
            str(EventKind.ESCALATED),
            now,
            reason,
            now,
            now,
            climbing.ids,
        ],
        fetch=True,
    )
    if made:
        each, grouped = [], {}
        for row in made:  # (flag, group index, escalation, its group notice or None)
            if row[3] is None:
                each.append(row)
            else:
                grouped.setdefault(row[3], []).append(row)
        if each:
            _tell(each, climbing.groups, now)
        if grouped:
            _tell_groups(grouped, climbing.groups, now)
    return len(made)


def _url_parts(name: str) -> list[str]:
    """A flag link's text before and after the flag's id (SQL puts each id in between)."""
    return messages.flag_url(name, 987654321).split("987654321")


def _tell(made, groups, now) -> None:
    """One fan-out row per new escalation for the staff told on entry and one for the client's followers (as
    ``messages.requests_for`` would write them), in one statement."""
    engagements = RedFlag._meta.get_field("engagement").related_model._meta.db_table
    # Each part is materialised and reached through the ids (primary key, follower index): joining the arrays
    # straight to the tables let the planner scan whole tables or every follower of each client user.
    select = (
        "WITH v AS MATERIALIZED (SELECT * FROM unnest(%(ids)b::bigint[], %(gids)b::int[]) AS v(id, gid)),"
        " g AS MATERIALIZED (SELECT * FROM unnest(%(gid)b::int[], %(to_level)b::smallint[], %(staff_context)b::text[],"
        " %(client_context)b::text[], %(staff_ids)b::text[]) AS g(gid, to_level, staff_context, client_context,"
        " staff_ids)),"
        f" f AS MATERIALIZED (SELECT f.id, f.cycle, f.title, e.name AS engagement_name FROM {RedFlag._meta.db_table} f"
        f" JOIN {engagements} e ON e.id = f.engagement_id WHERE f.id = ANY(%(ids)b::bigint[])),"
        # The client's people following the flag (reporter and merged reporters), active ones, in the order they came.
        " told AS MATERIALIZED (SELECT r.flag_id, jsonb_agg(u.id ORDER BY r.id) AS ids"
        f" FROM {FlagFollower._meta.db_table} r JOIN {User._meta.db_table} u ON u.id = r.user_id"
        " WHERE r.flag_id = ANY(%(ids)b::bigint[]) AND u.is_active"
        " AND u.role = ANY(%(client_roles)s::text[]) GROUP BY r.flag_id),"
        " made AS (SELECT f.*, g.* FROM f JOIN v ON v.id = f.id JOIN g ON g.gid = v.gid)"
    )
    side = (
        " SELECT 'escalation:' || made.id || ':' || made.cycle || ':' || made.to_level || ':0:{side}',"
        " %(category)s::text, %(template)s::text, '', made.{side}_context::jsonb"
        " || jsonb_build_object('title', made.title, 'engagement_name', made.engagement_name),"
        " %({side}_url_before)s::text || made.id || %({side}_url_after)s::text, %(target_type)s::int, made.id::text,"
        " {recipients}, '[]'::jsonb, %(channels)s::jsonb, false FROM made"
    )
    select += side.format(side="staff", recipients="made.staff_ids::jsonb") + " WHERE made.staff_ids <> '[]'"
    select += " UNION ALL" + side.format(side="client", recipients="told.ids")
    select += " JOIN told ON told.flag_id = made.id"
    staff_url, client_url = _url_parts("escalations:flag"), _url_parts("portal:flag")
    fanout_write_select(
        select,
        {
            "ids": [row[0] for row in made],
            "gids": [row[1] for row in made],
            "gid": [g.index for g in groups],
            "to_level": [g.to_level for g in groups],
            "staff_context": [g.staff_context for g in groups],
            "client_context": [g.client_context for g in groups],
            "staff_ids": [g.staff_ids for g in groups],
            "client_roles": sorted(CLIENT_ROLES),
            "category": messages.ESCALATION,
            "template": messages.TEMPLATE,
            "staff_url_before": staff_url[0],
            "staff_url_after": staff_url[1],
            "client_url_before": client_url[0],
            "client_url_after": client_url[1],
            "target_type": ContentType.objects.get_for_model(RedFlag).pk,
            "channels": json.dumps([str(channel) for channel in NotifyRequest.channels]),
        },
        now=now,
    )


# How many titles a group notice lists (the link opens the rest).
TITLES_LISTED = 5


def _tell_groups(grouped: dict, groups, now) -> None:
    """Write the group notices' fan-out rows (``{event: rows of climb}``): one for the staff told of any of the
    group's flags, one per client person following some of them (their own count and titles), each linking to the
    list rather than to one flag."""
    engagements = RedFlag._meta.get_field("engagement").related_model
    flag_ids, flag_events = [], []
    notices = {"event": [], "engagement": [], "staff_ids": [], "staff_context": [], "client_context": [], "url": []}
    flag_list = reverse("escalations:flag_list")
    for event, rows in grouped.items():
        members = [groups[gid] for gid in dict.fromkeys(row[1] for row in rows)]
        engagement_id, level = members[0].engagement_id, members[0].to_level
        context = {
            "level": level,
            "level_name": members[0].level_name,
            "reason": _REASON,
            "due_at": min(member.ack_due for member in members),
        }
        notices["event"].append(event)
        notices["engagement"].append(engagement_id)
        # Everyone told of any of the flags, the owners first, once.
        notices["staff_ids"].append(
            json.dumps(list(dict.fromkeys(pk for member in members for pk in json.loads(member.staff_ids))))
        )
        notices["staff_context"].append(_encode({"kind": "escalated_group", **context}))
        notices["client_context"].append(_encode({"kind": "escalated_group_client", **context}))
        notices["url"].append(f"{flag_list}?{urlencode({'engagement': engagement_id, 'level': level})}")
        for row in rows:
            flag_ids.append(row[0])
            flag_events.append(event)
    listed = f"(array_agg(f.title ORDER BY f.id))[1:{TITLES_LISTED}]"
    select = (
        "WITH v AS MATERIALIZED (SELECT * FROM unnest(%(ids)b::bigint[], %(events)b::text[]) AS v(id, event)),"
        " n AS MATERIALIZED (SELECT n.*, e.name AS engagement_name FROM unnest(%(event)b::text[],"
        " %(engagement)b::bigint[], %(staff_ids)b::text[], %(staff_context)b::text[], %(client_context)b::text[],"
        " %(url)b::text[]) AS n(event, engagement_id, staff_ids, staff_context, client_context, url)"
        f" JOIN {engagements._meta.db_table} e ON e.id = n.engagement_id),"
        f" f AS MATERIALIZED (SELECT f.id, f.title, v.event FROM {RedFlag._meta.db_table} f JOIN v ON v.id = f.id"
        " WHERE f.id = ANY(%(ids)b::bigint[])),"
        f" staff AS (SELECT f.event, count(*) AS count, {listed} AS titles FROM f GROUP BY f.event),"
        # The client's people following the flags (reporter and merged reporters), active ones: their own flags.
        f" told AS (SELECT f.event, u.id AS user_id, count(*) AS count, {listed} AS titles"
        f" FROM f JOIN {FlagFollower._meta.db_table} r ON r.flag_id = f.id JOIN {User._meta.db_table} u"
        " ON u.id = r.user_id WHERE r.flag_id = ANY(%(ids)b::bigint[]) AND u.is_active"
        " AND u.role = ANY(%(client_roles)s::text[]) GROUP BY f.event, u.id)"
    )
    side = (
        " SELECT n.event || {suffix}, %(category)s::text, %(template)s::text, '', n.{side}_context::jsonb"
        " || jsonb_build_object('engagement_name', n.engagement_name, 'count', {told}.count, 'titles',"
        " to_jsonb({told}.titles), 'more', {told}.count - cardinality({told}.titles)), {url}, NULL::int, '',"
        " {recipients}, '[]'::jsonb, %(channels)s::jsonb, false FROM n JOIN {told} ON {told}.event = n.event"
    )
    select += side.format(suffix="':staff'", side="staff", told="staff", url="n.url", recipients="n.staff_ids::jsonb")
    select += " WHERE n.staff_ids <> '[]' UNION ALL"
    select += side.format(
        suffix="':client:' || told.user_id",
        side="client",
        told="told",
        url="%(client_url)s::text",
        recipients="jsonb_build_array(told.user_id)",
    )
    fanout_write_select(
        select,
        {
            "ids": flag_ids,
            "events": flag_events,
            **notices,
            "client_roles": sorted(CLIENT_ROLES),
            "category": messages.ESCALATION,
            "template": messages.TEMPLATE,
            "client_url": reverse("portal:flags"),
            "channels": json.dumps([str(channel) for channel in NotifyRequest.channels]),
        },
        now=now,
    )
