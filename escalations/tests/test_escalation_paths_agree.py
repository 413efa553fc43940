"""The three paths that move a flag to its next level write the same rows (Hypothesis): the service
(``flags.escalation_enter``, one flag under its lock), the sweep's per-flag planner and the sweep's SQL path
(``sweep_escalate``). Random flags (severity, level, business calendar or 24/7, the client's followers, when the
acknowledgement was missed, a running client-update timer) that missed their acknowledgement go through each path
in turn, each rolled back after its rows were read; the flags, escalations, timeline lines and fan-out rows must be
identical. The service tells at once (outbox rows); here it defers like the sweep so that its fan-out rows can be
compared (that a fan-out row expands into what ``notify_many`` writes is notifications' own test)."""

from datetime import timedelta
from functools import partial

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from engagements.tests.factories import EngagementFactory
from escalations import timers
from escalations.coverage import coverage_for, rules_for_paths
from escalations.models import Escalation, EscalationReason, FlagEvent, FlagFollower, RedFlag
from escalations.services import _common, sweep, sweep_escalate
from escalations.services._common import Locked, save
from escalations.services.flags import escalation_enter
from notifications.models import NotificationFanout
from notifications.services import notify_many

from .factories import TUESDAY_10, EngagementCoverageFactory, raise_flag

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


class _RolledBack(Exception):
    pass


def _rows(ids) -> dict:
    """Everything the paths write, without the ids the database draws."""
    fanouts = NotificationFanout.objects.filter(event__contains="escalation:").order_by("event")
    return {
        "flags": list(RedFlag.objects.filter(pk__in=ids).order_by("pk").values()),
        "escalations": [
            {k: v for k, v in row.items() if k != "id"}
            for row in Escalation.objects.filter(flag_id__in=ids).order_by("flag_id", "level").values()
        ],
        "lines": [
            {k: v for k, v in row.items() if k != "id"}
            for row in FlagEvent.objects.filter(flag_id__in=ids, kind="escalated").order_by("flag_id").values()
        ],
        "fanouts": [{k: v for k, v in row.items() if k != "id"} for row in fanouts.values()],
    }


def _run(path: str, ids, now) -> dict:
    try:
        with transaction.atomic():
            if path == "service":
                for pk in ids:
                    flag = RedFlag.objects.select_for_update().get(pk=pk)
                    rules = rules_for_paths([flag.path_id])
                    coverage = coverage_for([flag.engagement_id], path_rules=rules)[flag.engagement_id]
                    state = Locked(flag=flag, coverage=coverage, path=rules[flag.path_id], now=now)
                    target = state.path.next_level(flag.level)
                    escalation_enter(state, level=target, reason=EscalationReason.ACKNOWLEDGE, due_at=flag.ack_due_at)
                    save(flag, now)
            else:
                assert sweep.escalation_sweep_batch(now=now) == len(ids)
            rows = _rows(ids)
            raise _RolledBack
    except _RolledBack:
        return rows


flag_specs = st.lists(
    st.fixed_dictionaries(
        {
            "severity": st.sampled_from(["critical", "high", "normal"]),
            "level": st.integers(min_value=1, max_value=3),
            "around_the_clock": st.booleans(),
            "followers": st.integers(min_value=0, max_value=2),
            "update_timer": st.booleans(),
        }
    ),
    min_size=1,
    max_size=3,
)


@override_settings(ESCALATIONS_GROUP_NOTICES_ABOVE=100)  # group notices are the SQL path's own (test_group_notices)
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(specs=flag_specs, late=st.integers(min_value=1, max_value=600), raised=st.integers(0, 60 * 24 * 6))
def test_the_service_the_planner_and_the_sql_path_write_the_same_rows(monkeypatch, specs, late, raised):
    with transaction.atomic():
        engagements = {kind: EngagementFactory() for kind in (False, True)}
        EngagementCoverageFactory(engagement=engagements[True], around_the_clock=True)
        raised_at = TUESDAY_10 + timedelta(minutes=raised)
        ids, due = [], []
        for n, spec in enumerate(specs):
            engagement = engagements[spec["around_the_clock"]]
            flag = raise_flag(engagement, engagement.pm, severity=spec["severity"], now=raised_at, title=f"Flag {n}")
            flag.refresh_from_db()
            state = _common.lock(flag, by=engagement.pm, now=raised_at)
            timers.enter_level(flag, level=spec["level"], coverage=state.coverage, path=state.path, now=raised_at)
            if spec["update_timer"]:
                flag.update_due_at = flag.ack_due_at + timedelta(days=30)
                flag.update_warn_at = flag.ack_due_at + timedelta(days=29)
            flag.refresh_next_due()
            flag.save()
            for _ in range(spec["followers"]):
                person = UserFactory(key_user=True, organization=engagement.client)
                FlagFollower.objects.create(flag=flag, user=person, since=raised_at)
            ids.append(flag.pk)
            due.append(flag.ack_due_at)
        # Late enough for every flag's acknowledgement, never for its other timers.
        now = max(due) + timedelta(minutes=late)
        NotificationFanout.objects.all().delete()

        climbed = []
        sort_out = sweep_escalate.sort_out

        def recorded(rows, batch, at):
            climbing, rest = sort_out(rows, batch, at)
            climbed.append((sorted(climbing.ids), rest))
            return climbing, rest

        def to_the_planner(rows, batch, at):
            return sweep_escalate.Climbing(), [row[0] for row in rows]

        with monkeypatch.context() as patch:
            patch.setattr(sweep_escalate, "sort_out", recorded)
            in_sql = _run("sql", ids, now)
        assert climbed == [(sorted(ids), [])], "every flag must climb in SQL"
        with monkeypatch.context() as patch:
            patch.setattr(sweep_escalate, "sort_out", to_the_planner)
            planned = _run("planner", ids, now)
        with monkeypatch.context() as patch:
            patch.setattr(_common, "notify_many", partial(notify_many, deferred=True))
            by_service = _run("service", ids, now)

        assert in_sql["escalations"] and len(in_sql["escalations"]) == len(ids)
        for name in ("flags", "escalations", "lines", "fanouts"):
            assert in_sql[name] == planned[name], name
            assert by_service[name] == planned[name], name
        transaction.set_rollback(True)
