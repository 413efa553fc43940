"""A rejection reopens what it concerns: a rework item, the reason on the page and in the stage's
history, and the CSM/PM told why."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from checklists import reminders
from checklists import selectors as checklist_selectors
from checklists import services as checklist_services
from checklists.models import ChecklistItem, Decision, ItemEvent, ItemStatus
from engagements.models import Side
from engagements.tests.factories import StakeholderFactory
from notifications.models import Notification

from .factories import ChecklistItemFactory, ChecklistStageFactory

pytestmark = pytest.mark.django_db

REASON = "The environments list misses the staging ERP."


@pytest.fixture
def accepted_stage(engagement, client_key_user):
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user)
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title="Environments")
    ChecklistItemFactory(stage=stage, done=True, title="Staging ready")
    checklist_services.acceptance_decide(
        by=client_key_user, engagement=engagement, stage=stage, decision=Decision.ACCEPTED
    )
    stage.refresh_from_db()
    return stage


def _reject(user, engagement, stage=None):
    return checklist_services.acceptance_decide(
        by=user, engagement=engagement, stage=stage, decision=Decision.REJECTED, reason=REASON
    )


def test_rejecting_a_stage_reopens_it_with_a_rework_item(client_key_user, engagement, pm, accepted_stage):
    _reject(client_key_user, engagement, accepted_stage)
    accepted_stage.refresh_from_db()
    assert accepted_stage.accepted_at is None
    assert accepted_stage.reopened_at is not None
    assert accepted_stage.reopened_reason == REASON
    rework = ChecklistItem.objects.get(stage=accepted_stage, status=ItemStatus.OPEN)
    assert rework.owner_side == Side.VENDOR
    assert rework.guidance == REASON
    assert rework.assignee == pm
    assert rework.due_on is not None
    assert ItemEvent.objects.get(item=rework).changes == {"rejection": REASON}


def test_the_stage_cannot_be_accepted_again_until_the_rework_is_done(client_key_user, csm, engagement, accepted_stage):
    _reject(client_key_user, engagement, accepted_stage)
    with pytest.raises(ValidationError, match="open items"):
        checklist_services.acceptance_decide(
            by=client_key_user, engagement=engagement, stage=accepted_stage, decision=Decision.ACCEPTED
        )
    rework = ChecklistItem.objects.get(stage=accepted_stage, status=ItemStatus.OPEN)
    checklist_services.item_update(by=csm, item=rework, status=ItemStatus.DONE)
    checklist_services.acceptance_decide(
        by=client_key_user, engagement=engagement, stage=accepted_stage, decision=Decision.ACCEPTED
    )
    accepted_stage.refresh_from_db()
    assert accepted_stage.accepted_at is not None
    assert accepted_stage.reopened_at is None
    assert accepted_stage.reopened_reason == ""


def test_the_csm_and_pm_get_the_reason(client_key_user, engagement, csm, pm, accepted_stage):
    acceptance = _reject(client_key_user, engagement, accepted_stage)
    rows = Notification.objects.filter(event=f"engagement.rejection:{acceptance.pk}")
    assert {row.recipient for row in rows} == {csm, pm}
    assert {row.category for row in rows} == {reminders.DECISIONS_CATEGORY}
    assert all(row.context["reason"] == REASON for row in rows)
    assert all("the client rejected Environments" in row.subject for row in rows)
    assert all(f"#stage-{accepted_stage.pk}" in row.url for row in rows)


def test_the_deputy_is_told_and_works_it_while_the_pm_is_away_and_it_is_handed_back(
    client_key_user, engagement, deputy_pm, accepted_stage
):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.tests.factories import StaffAbsenceFactory
    from checklists import work

    today = timezone.localdate()
    StaffAbsenceFactory(user=engagement.pm, starts_on=today, ends_on=today)
    acceptance = _reject(client_key_user, engagement, accepted_stage)
    rework = ChecklistItem.objects.get(stage=accepted_stage, status=ItemStatus.OPEN)
    # The PM's, routed to the deputy by the cover today, and the PM's again tomorrow.
    assert rework.assignee == engagement.pm
    assert rework.title in [e.title for e in work.handed_over(user=deputy_pm, today=today, limit=10).entries]
    tomorrow = today + timedelta(days=1)
    assert not work.handed_over(user=deputy_pm, today=tomorrow, limit=10).entries
    assert rework.title in [e.title for e in work.handed_back(user=engagement.pm, today=tomorrow, limit=10).entries]
    recipients = {row.recipient for row in Notification.objects.filter(event=f"engagement.rejection:{acceptance.pk}")}
    assert deputy_pm in recipients


def test_rejecting_the_work_plan_opens_rework_in_its_last_stage(client_key_user, engagement, accepted_stage):
    last = ChecklistStageFactory(engagement=engagement, title="Work-plan acceptance", position=10**6)
    _reject(client_key_user, engagement)
    rework = ChecklistItem.objects.get(stage=last)
    assert "the work plan" in rework.title
    assert rework.guidance == REASON


def test_the_team_sees_the_reopened_stage_and_its_history(client, csm, client_key_user, engagement, accepted_stage):
    _reject(client_key_user, engagement, accepted_stage)
    client.force_login(csm)
    body = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    assert f'data-testid="stage-reopened-{accepted_stage.pk}"' in body
    assert "The client rejected this stage" in body
    assert REASON in body
    assert "History: 2 client decisions" in body
    assert "Rework after the client" in body


def test_the_team_sees_a_rejected_work_plan_until_it_is_accepted(client, csm, client_key_user, engagement):
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user)
    stage = ChecklistStageFactory(engagement=engagement)
    ChecklistItemFactory(stage=stage)
    _reject(client_key_user, engagement)
    client.force_login(csm)
    url = reverse("portfolio:engagement", args=[engagement.pk])
    assert 'data-testid="work-plan-rejected"' in client.get(url).content.decode()
    checklist_services.acceptance_decide(by=client_key_user, engagement=engagement, decision=Decision.ACCEPTED)
    assert 'data-testid="work-plan-rejected"' not in client.get(url).content.decode()


def test_the_client_sees_the_stage_is_being_reworked(client, client_key_user, engagement, accepted_stage):
    client.force_login(client_key_user)
    response = client.post(
        reverse("portal:stage_decision", args=[accepted_stage.pk]), {"decision": "rejected", "reason": REASON}
    )
    assert response.status_code == 302
    body = client.get(reverse("portal:engagement", args=[engagement.pk])).content.decode()
    assert "the team is reworking it" in body


def test_a_long_decision_history_still_finds_the_work_plan_decision_and_baseline(client_key_user, engagement):

    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user)
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    ChecklistItemFactory(stage=stage, done=True)
    checklist_services.acceptance_decide(by=client_key_user, engagement=engagement, decision=Decision.ACCEPTED)
    _reject(client_key_user, engagement)
    for _ in range(12):
        # Each rejection opens a rework item; close it so the stage can be decided on again.
        checklist_services.acceptance_decide(
            by=client_key_user, engagement=engagement, stage=stage, decision=Decision.REJECTED, reason="Not yet"
        )
        ChecklistItem.objects.filter(stage=stage, status=ItemStatus.OPEN).update(status=ItemStatus.DONE)
    page = checklist_selectors.checklist_overview(engagement=engagement, user=engagement.csm)
    assert page.work_plan_rejection is not None
    assert page.work_plan_rejection.reason == REASON
    assert page.baseline is not None
    assert page.baseline.decision == Decision.ACCEPTED
