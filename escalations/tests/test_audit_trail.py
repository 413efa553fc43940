"""The escalation sweep's set-based SQL is in the audit trail: each escalation it inserts (and each flag it moves)
is recorded by the triggers, with the Celery task that ran the sweep as its context (issue 20)."""

import pytest
from django.db import connection
from django.utils import timezone
from pghistory.models import Context

from accounts.tests.factories import OrganizationFactory, UserFactory
from engagements.tests.factories import EngagementFactory
from escalations import tasks
from escalations.models import Escalation, RedFlag, Severity

from .factories import raise_flag, warsaw

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _flags(count):
    flags = []
    for n in range(count):
        client = OrganizationFactory()
        engagement = EngagementFactory(client=client)
        reporter = UserFactory(key_user=True, organization=client)
        flags.append(raise_flag(engagement, reporter, severity=Severity.CRITICAL, title=f"Complaint {n}"))
    return flags


def test_each_escalation_of_the_sql_sweep_is_in_the_trail_with_the_task_as_its_actor(monkeypatch):
    assert connection.vendor == "postgresql"
    flags = _flags(4)
    late = warsaw(2026, 11, 10, 11, 1)  # every critical flag missed its 1-hour acknowledgement at 11:00
    monkeypatch.setattr(timezone, "now", lambda: late)

    result = tasks.sweep.apply(task_id="sweep-under-audit", kwargs={"helper": True})
    assert result.successful(), result.traceback

    escalations = list(Escalation.objects.all())
    assert len(escalations) == len(flags)
    events = Escalation.pgh_event_model.objects.filter(pgh_label="insert")
    by_escalation = {event.pgh_obj_id: event for event in events}
    assert set(by_escalation) == {e.pk for e in escalations}
    contexts = {c.id: c.metadata for c in Context.objects.filter(id__in=[e.pgh_context_id for e in events])}
    for escalation in escalations:
        event = by_escalation[escalation.pk]
        assert event.level == escalation.level and event.flag_id == escalation.flag_id
        metadata = contexts[event.pgh_context_id]
        assert metadata["task"] == "escalations.sweep"
        assert metadata["task_id"] == "sweep-under-audit"
        assert "user" not in metadata
    # The flags' own climb (an UPDATE ... FROM of the set-based path) is recorded in the same context.
    flag_updates = RedFlag.pgh_event_model.objects.filter(pgh_label="update", pgh_context_id__in=contexts)
    assert {e.pgh_obj_id for e in flag_updates} == {f.pk for f in flags}
    assert set(flag_updates.values_list("level", flat=True)) == {2}


def test_a_sweep_outside_any_task_or_request_is_recorded_without_a_context(monkeypatch):
    from escalations import services

    _flags(1)
    services.escalation_sweep(now=warsaw(2026, 11, 10, 11, 1))
    event = Escalation.pgh_event_model.objects.get()
    assert event.pgh_context_id is None
