"""Asking the client to decide shows what they decide on (issue 22): a rejected stage reads as being reworked, not
"awaiting your acceptance"; a changed work plan, asked for again, lists its changes against the accepted baseline
(the staff page's ``baseline_changes``), dates written as dates."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override

from checklists import services
from checklists.models import Decision, ItemCompletion
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements.tests.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def _page(client, user, engagement) -> str:
    client.force_login(user)
    return client.get(reverse("portal:engagement", args=[engagement.pk])).content.decode()


def test_a_rejected_stage_is_being_reworked_not_awaiting_acceptance(client, client_key_user, engagement):
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user)
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title="Data migration")
    ChecklistItemFactory(stage=stage, title="Migrate the customers", done=True)
    assert f'data-testid="stage-awaiting-{stage.pk}"' in _page(client, client_key_user, engagement)
    services.acceptance_decide(
        by=client_key_user, engagement=engagement, stage=stage, decision=Decision.REJECTED, reason="Duplicates left"
    )
    body = _page(client, client_key_user, engagement)
    header = body.split(f'id="pstage-{stage.pk}"', 1)[1].split("</div>", 1)[0]
    assert "awaiting your acceptance" not in header and "being reworked" in header
    assert "You rejected this stage" in body


def test_a_changed_work_plan_lists_its_changes_against_the_baseline(client, client_key_user, engagement):
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user)
    client_key_user.language = "pl"
    client_key_user.save(update_fields=["language"])
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title="Plan")
    ChecklistItemFactory(
        stage=stage,
        title="Accept the plan",
        client_side=True,
        assignee=client_key_user,
        closes_with=ItemCompletion.WORK_PLAN,
    )
    moved = ChecklistItemFactory(stage=stage, title="Workshop")
    services.acceptance_decide(by=client_key_user, engagement=engagement, decision=Decision.ACCEPTED)
    before = moved.due_on
    moved.due_on = before + timedelta(days=14)
    moved.save(update_fields=["due_on"])
    ChecklistItemFactory(stage=stage, title="Extra training")
    body = _page(client, client_key_user, engagement)
    changes = body.split('data-testid="work-plan-changes"', 1)[1].split("</ul>", 1)[0]
    assert "Extra training" in changes and "Workshop" in changes
    with override("pl"), timezone.override(client_key_user.zone):
        assert date_format(before, "SHORT_DATE_FORMAT") in changes
        assert date_format(moved.due_on, "SHORT_DATE_FORMAT") in changes
    assert before.isoformat() not in changes
