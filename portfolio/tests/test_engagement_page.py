"""The engagement page as composed by portfolio: each app's part, the budget against the actuals, health."""

from decimal import Decimal

import pytest

from checklists.tests.factories import ChecklistStageFactory, StageActualFactory
from portfolio import selectors

pytestmark = pytest.mark.django_db


def test_the_budget_card_burns_the_actuals_against_the_plan(csm, budgeted):
    StageActualFactory(
        stage=ChecklistStageFactory(engagement=budgeted), effort_days=Decimal("4.5"), amount=Decimal("1500")
    )
    StageActualFactory(
        stage=ChecklistStageFactory(engagement=budgeted), effort_days=Decimal("0"), amount=Decimal("1000")
    )
    page = selectors.engagement_page(engagement=budgeted, user=csm)
    assert page.budget == {
        "planned_days": Decimal("20"),
        "actual_days": Decimal("4.5"),
        "planned_amount": Decimal("10000"),
        "actual_amount": Decimal("2500"),
        "burn_days": 22,
        "burn_amount": 25,
    }


def test_a_client_sees_no_budget_and_no_team_records(client_key_user, budgeted):
    StageActualFactory(stage=ChecklistStageFactory(engagement=budgeted))
    page = selectors.engagement_page(engagement=budgeted, user=client_key_user)
    assert (page.budget["actual_days"], page.budget["actual_amount"]) == (Decimal(0), Decimal(0))
    assert page.records.commitments == page.records.integrations == []
    assert page.records.handoff is None and page.records.warnings == []
