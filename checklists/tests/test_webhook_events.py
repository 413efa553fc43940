"""Checklists emit their webhook events in the transaction that made the change."""

import pytest

from checklists import services
from checklists.models import Decision
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements.tests.factories import StakeholderFactory
from webhooks.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def named_key_user(client_key_user, engagement):
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user, name=client_key_user.full_name)
    return client_key_user


def test_accepting_a_stage_emits_stage_accepted(named_key_user, engagement):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    ChecklistItemFactory(stage=stage, done=True)
    services.acceptance_decide(by=named_key_user, engagement=engagement, stage=stage, decision=Decision.ACCEPTED)

    event = Event.objects.get()
    assert event.type == "stage.accepted"
    assert (event.organization_id, event.engagement_id) == (engagement.client_id, engagement.pk)
    assert event.data["stage"] == {"id": stage.pk, "title": stage.title}
    assert event.data["decided_by"]["id"] == named_key_user.pk


def test_rejecting_a_stage_emits_stage_rejected_with_the_reason(named_key_user, engagement):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    ChecklistItemFactory(stage=stage, done=True)
    services.acceptance_decide(
        by=named_key_user, engagement=engagement, stage=stage, decision=Decision.REJECTED, reason="Missing reports"
    )
    event = Event.objects.get()
    assert (event.type, event.data["reason"]) == ("stage.rejected", "Missing reports")


def test_accepting_the_work_plan_emits_work_plan_accepted(named_key_user, engagement):
    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement))
    services.acceptance_decide(by=named_key_user, engagement=engagement, decision=Decision.ACCEPTED)
    event = Event.objects.get()
    assert (event.type, event.data["stage"]) == ("work_plan.accepted", None)


def test_completing_an_item_emits_item_completed(csm, engagement):
    item = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement))
    services.item_complete(by=csm, item=item)
    event = Event.objects.get()
    assert event.type == "item.completed"
    assert event.data["item"]["id"] == item.pk
    assert event.data["item"]["completed_at"] is not None


def test_an_overdue_item_emits_item_overdue_once_however_often_it_is_reminded(csm, team_member, engagement, settings):
    from datetime import UTC, date, datetime, timedelta

    from notifications.models import Reminder
    from notifications.services import reminder_sweep

    stage = ChecklistStageFactory(engagement=engagement)
    item = services.item_create(
        by=csm,
        stage=stage,
        title="Signed DPA",
        due_on=date(2026, 11, 30),
        assignee=team_member,
        now=datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
    )
    first = Reminder.objects.get(key=f"checklist-item:{item.pk}:overdue").due_at
    reminder_sweep(now=first)
    reminder_sweep(now=first + settings.CHECKLIST_OVERDUE_REPEAT)
    reminder_sweep(now=first + 2 * settings.CHECKLIST_OVERDUE_REPEAT + timedelta(hours=1))

    event = Event.objects.get(type="item.overdue")
    assert (event.key, event.engagement_id) == (f"item.overdue:{item.pk}:2026-11-30", engagement.pk)
    assert event.data["item"]["id"] == item.pk
