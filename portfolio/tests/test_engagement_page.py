"""The engagement page as composed by portfolio: each app's part, the budget against the actuals, health."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from checklists import services as checklist_services
from checklists.tests.factories import ChecklistStageFactory
from portfolio import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def budgeted(engagement):
    engagement.planned_effort_days = Decimal("20")
    engagement.planned_amount = Decimal("10000")
    engagement.save()
    return engagement


def test_entries_add_up_to_the_stage_totals_and_the_burn(csm, pm, budgeted):
    scope = ChecklistStageFactory(engagement=budgeted)
    qa = ChecklistStageFactory(engagement=budgeted)
    today = timezone.localdate()
    checklist_services.stage_actual_add(
        by=csm, stage=scope, spent_on=today, effort_days=Decimal("3"), amount=Decimal("1500")
    )
    checklist_services.stage_actual_add(
        by=pm, stage=scope, spent_on=today - timedelta(days=2), effort_days=Decimal("1.5"), note="Workshop"
    )
    checklist_services.stage_actual_add(by=csm, stage=qa, spent_on=today, amount=Decimal("1000"))
    page = selectors.engagement_page(engagement=budgeted, user=csm)
    by_stage = {view.stage.pk: view for view in page.checklist.stages}
    assert (by_stage[scope.pk].actual_days, by_stage[scope.pk].actual_amount) == (Decimal("4.5"), Decimal("1500"))
    assert [entry.note for entry in by_stage[scope.pk].actuals] == ["", "Workshop"]
    assert by_stage[scope.pk].actuals[1].recorded_by == pm
    assert page.budget["actual_days"] == Decimal("4.5")
    assert page.budget["actual_amount"] == Decimal("2500")
    assert page.budget["burn_days"] == 22
    assert page.budget["burn_amount"] == 25
