"""The sweep's cost follows what is due, in a constant number of queries per batch; an outage does not cascade a
flag up several levels; the idle sweep is one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import OrganizationFactory, UserFactory
from engagements.tests.factories import EngagementFactory
from escalations import services
from escalations.models import TIMER_FIELDS, Escalation, EventKind, FlagEvent, FlagStatus, RedFlag, Severity
from notifications.models import Notification, NotificationFanout
from notifications.services import fanout_expand

from .factories import raise_flag, warsaw

pytestmark = pytest.mark.django_db


def _flags(count):
    """``count`` flags on as many engagements of as many clients, each with its own people and a follower."""
    flags = []
    for n in range(count):
        client = OrganizationFactory()
        engagement = EngagementFactory(client=client)
        reporter = UserFactory(key_user=True, organization=client)
        flags.append(raise_flag(engagement, reporter, severity=Severity.CRITICAL, title=f"Complaint {n}"))
    return flags


def _sweep_queries(now) -> tuple[int, int]:
    """Flags claimed and queries run by one batch (the test transaction's savepoints left out)."""
    with CaptureQueriesContext(connection) as captured:
        claimed = services.escalation_sweep_batch(now=now)
    return claimed, sum(1 for q in captured.captured_queries if "SAVEPOINT" not in q["sql"])


def test_one_batch_runs_the_same_queries_for_few_and_many_due():
    late = warsaw(2026, 11, 10, 11, 1)  # every critical flag missed its 1-hour acknowledgement at 11:00
    _flags(3)
    few = _sweep_queries(late)
    RedFlag.objects.all().delete()
    Notification.objects.all().delete()
    NotificationFanout.objects.all().delete()
    _flags(15)
    many = _sweep_queries(late)
    assert (few[0], many[0]) == (3, 15)
    assert many[1] == few[1], f"{few[1]} queries for 3 due, {many[1]} for 15"
    assert Escalation.objects.count() == 15
    # The sweep wrote who must be told of each escalation (staff and client), and no outbox row yet...
    assert NotificationFanout.objects.filter(event__startswith="escalation:").count() == 15 * 2
    assert not Notification.objects.filter(event__startswith="escalation:").exists()
    # ...which the relay expands: each escalation told the CSM (new level), the PM (told on entry) and the client.
    assert fanout_expand(now=late) == 15 * 2
    assert Notification.objects.filter(event__startswith="escalation:", channel="in_app").count() == 15 * 3


def test_the_idle_sweep_is_one_query(engagement, client_key_user):
    raise_flag(engagement, client_key_user)
    claimed, count = _sweep_queries(warsaw(2026, 11, 10, 10, 30))
    assert (claimed, count) == (0, 1)


def test_a_backlog_asks_other_workers_to_help_and_helpers_ask_nobody(monkeypatch, settings):
    from escalations import tasks

    settings.ESCALATIONS_SWEEP_BATCH = 2
    settings.ESCALATIONS_SWEEP_HELPERS = 2
    asked = []
    monkeypatch.setattr(tasks.sweep, "apply_async", lambda **options: asked.append(options))
    monkeypatch.setattr(services.sweep.timezone, "now", lambda: warsaw(2026, 11, 10, 11, 1))
    _flags(2)
    assert tasks.sweep() == 2  # no more due than one batch: nobody asked
    assert asked == []
    _flags(3)
    assert tasks.sweep() == 3
    # Asked before sweeping, so they help from the start; dropped if no worker takes them within one tick's budget.
    assert asked == [{"kwargs": {"helper": True}, "expires": settings.ESCALATIONS_SWEEP_TIME_BUDGET}] * 2
    asked.clear()
    _flags(5)
    assert tasks.sweep(helper=True) == 5
    assert asked == []
    assert Escalation.objects.count() == 10


def test_a_broker_that_cannot_take_the_helpers_leaves_the_tick_sweeping_alone(monkeypatch, settings, caplog):
    from escalations import tasks

    settings.ESCALATIONS_SWEEP_BATCH = 1

    def broker_down(**kwargs):
        raise ConnectionRefusedError("Redis is down")

    monkeypatch.setattr(tasks.sweep, "apply_async", broker_down)
    monkeypatch.setattr(services.sweep.timezone, "now", lambda: warsaw(2026, 11, 10, 11, 1))
    _flags(3)
    assert tasks.sweep() == 3
    assert Escalation.objects.count() == 3
    assert "Could not ask another worker" in caplog.text


def test_after_an_outage_a_flag_climbs_one_level_not_all(engagement, client_key_user, csm):
    flag = raise_flag(engagement, client_key_user, severity=Severity.CRITICAL)
    # Nothing swept for three days: every level's deadline would have passed had the flag climbed on time.
    services.escalation_sweep(now=warsaw(2026, 11, 13, 10))
    flag.refresh_from_db()
    assert flag.level == 2 and flag.owner == csm
    assert flag.ack_due_at == warsaw(2026, 11, 13, 11)  # a fresh hour for the new level
    assert list(Escalation.objects.values_list("level", flat=True)) == [2]


def test_the_sweep_leaves_paused_and_closed_flags_alone(engagement, client_key_user, pm):
    waiting = raise_flag(engagement, client_key_user)
    services.flag_pause(flag=waiting, by=pm, reason="Logs?", now=warsaw(2026, 11, 10, 11))
    closed = raise_flag(engagement, client_key_user, title="Other")
    services.flag_resolve(flag=closed, by=pm, resolution="Done", now=warsaw(2026, 11, 10, 11))
    services.flag_confirm(flag=closed, by=client_key_user, now=warsaw(2026, 11, 10, 12))
    assert services.escalation_sweep(now=warsaw(2026, 12, 31, 12)) == 0
    assert not Escalation.objects.exists()
    assert RedFlag.objects.get(pk=closed.pk).status == FlagStatus.CLOSED


# EXPLAIN of PostgreSQL's planner: the postgres marker runs it in CI and deselects it, saying so, on SQLite.
@pytest.mark.postgres
def test_the_claim_uses_the_partial_index(engagement, client_key_user):
    for n in range(30):
        raise_flag(engagement, client_key_user, title=f"Flag {n}")
    now = warsaw(2026, 11, 10, 10, 30)
    claim = RedFlag.objects.due(now).order_by("next_due_at").select_for_update(skip_locked=True, of=("self",))[:1000]
    sql, params = claim.query.get_compiler(using="default").as_sql()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: ask the planner what it would use at scale
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "red_flag_due" in plan, plan


@pytest.mark.postgres
def test_the_swept_tables_have_only_the_indexes_their_queries_need():
    """Each escalation writes an entry in every index holding the flag (its update cannot be HOT) and in every
    index of the escalation and timeline line it adds: an index Django adds by itself (a foreign key's, a unique
    text column's ``LIKE`` one) would be written on every escalation without any query reading it."""
    wanted = {
        RedFlag: {"red_flag_due", "red_flag_engagement_status", "red_flag_sla_month", "red_flag_owner_live"},
        Escalation: {"escalation_once"},
        FlagEvent: {"flag_event_timeline", "flag_event_once"},
    }
    # Partial: only rows naming someone, never the sweep's (a live flag is rarely a duplicate, agreed or confirmed).
    named_only = {
        RedFlag: {"red_flag_duplicate_of", "red_flag_plan_agreed_by", "red_flag_confirmed_by"},
        Escalation: {"escalation_by"},
        FlagEvent: {"flag_event_actor"},
    }
    with connection.cursor() as cursor:
        for model, names in wanted.items():
            table = model._meta.db_table
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
            found = dict(cursor.fetchall())
            assert set(found) == names | named_only[model] | {f"{table}_pkey"}, found
            for name in named_only[model]:
                assert found[name].endswith("IS NOT NULL)"), found[name]


def test_two_flags_due_in_one_batch_with_mixed_work(engagement, client_key_user, pm):
    escalating = raise_flag(engagement, client_key_user, title="Escalates")
    closing = raise_flag(engagement, client_key_user, title="Closes")
    services.flag_resolve(flag=closing, by=pm, resolution="Done", now=warsaw(2026, 11, 10, 11))
    swept = services.escalation_sweep(now=warsaw(2026, 11, 16, 12))
    assert swept == 2
    escalating.refresh_from_db()
    closing.refresh_from_db()
    assert escalating.level == 2 and closing.status == FlagStatus.CLOSED
    assert closing.next_due_at is None
    assert escalating.next_due_at is not None and escalating.next_due_at > warsaw(2026, 11, 16, 12)
    assert escalating.updated_at == warsaw(2026, 11, 16, 12)


@pytest.mark.postgres
def test_flags_climbing_in_sql_get_what_the_per_flag_planner_gives(monkeypatch, engagement, client_key_user):
    """The same missed acknowledgement, once through the SQL path and once through the planner: the same
    escalation, timeline line, new timers and owner, and the same fan-out rows (but the flag's own id and title)."""
    from escalations.services import sweep_escalate

    in_sql = raise_flag(engagement, client_key_user, severity=Severity.CRITICAL, title="In SQL")
    planned = raise_flag(engagement, client_key_user, severity=Severity.CRITICAL, title="Planned")
    sort_out = sweep_escalate.sort_out

    def planner_takes_one(rows, batch, now):
        climbing, rest = sort_out([row for row in rows if row[0] != planned.pk], batch, now)
        assert (climbing.ids, rest) == ([in_sql.pk], [])  # the other one does climb in SQL
        return climbing, [planned.pk]

    monkeypatch.setattr(sweep_escalate, "sort_out", planner_takes_one)
    late = warsaw(2026, 11, 10, 11, 1)
    assert services.escalation_sweep_batch(now=late) == 2

    def flag_state(flag):
        flag.refresh_from_db()
        names = ("level", "owner_id", "level_entered_at", "level_acknowledged_at", "renotify_count", "next_due_at")
        return {name: getattr(flag, name) for name in (*names, *TIMER_FIELDS, "sweep_attempts", "updated_at")}

    assert flag_state(in_sql) == flag_state(planned)
    assert in_sql.level == 2

    def escalation(flag):
        return Escalation.objects.filter(flag=flag).values("cycle", "level", "round", "reason", "due_at", "at", "owner")

    assert list(escalation(in_sql)) == list(escalation(planned))
    assert len(escalation(in_sql)) == 1

    def line(flag):
        row = FlagEvent.objects.filter(flag=flag, kind=EventKind.ESCALATED).values(
            "at", "body", "data", "cycle", "level", "is_internal", "actor", "once_key"
        )
        (row,) = row
        row["once_key"] = row["once_key"].replace(f"escalation:{flag.pk}:", "escalation:#:", 1)
        return row

    assert line(in_sql) == line(planned)

    def told(flag):
        rows = []
        for fanout in NotificationFanout.objects.filter(target_id=str(flag.pk)).order_by("event"):
            row = {
                name: getattr(fanout, name)
                for name in ("category", "template", "language", "recipient_ids", "emails", "channels")
            }
            row.update(
                event=fanout.event.replace(f"escalation:{flag.pk}:", "escalation:#:", 1),
                url=fanout.url.replace(f"/{flag.pk}/", "/#/"),
                context={**fanout.context, "title": "-"},
                target_type=fanout.target_type_id,
                force_immediate=fanout.force_immediate,
            )
            rows.append(row)
        return rows

    assert told(in_sql) == told(planned)
    assert [row["event"].rsplit(":", 1)[1] for row in told(in_sql)] == ["client", "staff"]
