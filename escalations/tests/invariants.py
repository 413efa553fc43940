"""What must hold after any fault, checked in SQL (the reliability tests and ``bench/escalations_chaos.py``).

- every due escalation happened exactly once (none lost, none doubled);
- none fired for a flag acknowledged at that level before its deadline;
- every escalation has its timeline line and is told of by exactly one staff fan-out row, its own or that of the
  group notice it names (``notice_event``), and, once the relay has expanded that row, its outbox rows, exactly once;
- every group notice covers the escalations it names, and its event ends in the smallest of their ids.
"""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from accounts.tests.factories import OrganizationFactory, UserFactory
from engagements.tests.factories import EngagementFactory
from escalations import services
from escalations.models import FlagFollower, RedFlag


def sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def due_flags(count: int, *, due_in: timedelta = timedelta(seconds=-1), prefix: str = "Flag") -> list[int]:
    """``count`` open high flags at the first level whose acknowledge deadline is ``due_in`` from now (past by
    default), on one engagement, each followed by the client's key user. One is raised through the service; the rest
    are copies of it (raising thousands one by one would take the test's whole time)."""
    client = OrganizationFactory()
    engagement = EngagementFactory(client=client)
    reporter = UserFactory(key_user=True, organization=client)
    template = services.flag_raise(
        engagement=engagement,
        by=reporter,
        title=f"{prefix} 0",
        description="Orders are not arriving.",
        category="quality",
        severity="high",
    )
    copies = []
    for n in range(1, count):
        copy = RedFlag.objects.get(pk=template.pk)
        copy.pk = None
        copy.title = f"{prefix} {n}"
        copies.append(copy)
    flags = [template, *RedFlag.objects.bulk_create(copies)]
    FlagFollower.objects.bulk_create(
        [FlagFollower(flag=flag, user=reporter) for flag in flags[1:]], ignore_conflicts=True
    )
    due = timezone.now() + due_in
    ids = [flag.pk for flag in flags]
    RedFlag.objects.filter(pk__in=ids).update(ack_due_at=due, ack_warn_at=None, next_due_at=due)
    return ids


def duplicate_escalations() -> list[tuple]:
    return sql(
        "SELECT flag_id, cycle, level, round, count(*) FROM escalations_escalation"
        " GROUP BY flag_id, cycle, level, round HAVING count(*) > 1"
    )


def flags_due_and_not_escalated(flag_ids, now=None) -> list[tuple]:
    """Flags still at the first level, unacknowledged, with a deadline that has passed: a lost escalation."""
    return sql(
        "SELECT id FROM escalations_redflag WHERE id = ANY(%s) AND level = 1 AND level_acknowledged_at IS NULL"
        " AND ack_due_at <= %s AND status IN ('open', 'reopened')",
        [list(flag_ids), now or timezone.now()],
    )


def escalations_despite_acknowledgement() -> list[tuple]:
    """Escalations for a missed acknowledgement although the level was acknowledged before the deadline."""
    return sql(
        "SELECT e.id FROM escalations_escalation e JOIN escalations_flagevent a ON a.flag_id = e.flag_id"
        " AND a.kind = 'acknowledged' AND a.cycle = e.cycle AND a.level = e.level - 1"
        " WHERE e.reason = 'acknowledge' AND a.at < e.due_at"
    )


def escalations_without_notifications() -> list[tuple]:
    """Escalations missing their timeline line, or the fan-out row of their staff notifications (who must be told
    of it: written by the sweep in the escalation's transaction; its own, or its group notice's when it names one),
    or told of by both, or, once the relay expanded that row, its outbox rows (email and in-app)."""
    return sql(
        "SELECT e.id FROM escalations_escalation e"
        " LEFT JOIN notifications_notificationfanout f ON f.event = COALESCE(e.notice_event, 'escalation:'"
        "     || e.flag_id || ':' || e.cycle || ':' || e.level || ':' || e.round) || ':staff'"
        " WHERE f.id IS NULL"
        " OR (e.notice_event IS NOT NULL AND EXISTS (SELECT 1 FROM notifications_notificationfanout o"
        "     WHERE o.event LIKE 'escalation:' || e.flag_id || ':' || e.cycle || ':' || e.level || ':' || e.round"
        "     || ':%%'))"
        " OR (f.status = 'expanded' AND (SELECT count(*) FROM notifications_notification n WHERE n.event = f.event)"
        "     < 2)"
        " OR NOT EXISTS (SELECT 1 FROM escalations_flagevent v WHERE v.once_key = 'escalation:' || e.flag_id"
        "     || ':' || e.cycle || ':' || e.level || ':' || e.round)"
    )


def group_notices_not_matching() -> list[tuple]:
    """Group notices (fan-out rows of ``escalations-group:`` events) covering no escalation, or whose event does not
    end in the smallest id of those it covers (a second notice for the same escalations would)."""
    return sql(
        "SELECT f.event FROM notifications_notificationfanout f"
        " LEFT JOIN (SELECT notice_event, min(id) AS first FROM escalations_escalation"
        "     WHERE notice_event IS NOT NULL GROUP BY notice_event) g"
        "     ON f.event LIKE g.notice_event || ':%%'"
        " WHERE f.event LIKE 'escalations-group:%%' AND (g.notice_event IS NULL"
        "     OR g.notice_event NOT LIKE '%%:' || g.first)"
    )


def fanouts_not_expanded() -> list[tuple]:
    """Fan-out rows the relay has not expanded (yet): none may be left once the relay has caught up."""
    return sql("SELECT event, status, last_error FROM notifications_notificationfanout WHERE status <> 'expanded'")


def notifications_not_from_their_fanout() -> list[tuple]:
    """Outbox rows of deferred events written twice for one recipient and channel (the dedupe key makes it
    impossible; checked all the same), or written although their fan-out row is still pending (expansion and
    marking commit together)."""
    return sql(
        "SELECT n.event, n.recipient_id, n.channel, count(*) FROM notifications_notification n"
        " JOIN notifications_notificationfanout f ON f.event = n.event"
        " GROUP BY n.event, n.recipient_id, n.to_email, n.channel, f.status"
        " HAVING count(*) > 1 OR f.status = 'pending'"
    )


def escalation_count(flag_ids) -> int:
    return sql("SELECT count(*) FROM escalations_escalation WHERE flag_id = ANY(%s)", [list(flag_ids)])[0][0]


def assert_invariants(flag_ids, *, expected_escalations: int | None = None) -> None:
    assert duplicate_escalations() == [], "an escalation happened twice"
    assert flags_due_and_not_escalated(flag_ids) == [], "a due escalation was lost"
    assert escalations_despite_acknowledgement() == [], "a flag acknowledged in time escalated"
    assert escalations_without_notifications() == [], "an escalation lacks its notifications or timeline line"
    assert group_notices_not_matching() == [], "a group notice covers no escalation or names the wrong ones"
    assert notifications_not_from_their_fanout() == [], "a fan-out was expanded twice or only in part"
    if expected_escalations is not None:
        assert escalation_count(flag_ids) == expected_escalations
