"""The engagement page as composed by portfolio: each app's part, the budget against the actuals, health."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from checklists.tests.factories import ChecklistStageFactory, StageActualFactory
from engagements.tests.factories import ResourceLinkFactory
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
    assert page.records.promises == page.records.integrations == []
    assert page.records.handoff is None and page.records.warnings == []


CSRF_INPUT = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">')
# The layout's htmx header: the other place a page may carry the token.
CSRF_HEADER = re.compile(r"""hx-headers='\{"X-CSRFToken": "[^"]+"\}'""")


@pytest.mark.parametrize(
    "typed",
    [
        "__csrf-token-placeholder__",
        '<input type="hidden" name="csrfmiddlewaretoken" value="__csrf-token-placeholder__">',
        "csrf-placeholder-0123",
    ],
)
def test_a_link_title_holding_the_placeholder_text_stays_as_typed_and_carries_no_token(client, csm, engagement, typed):
    """The cached engagement page puts the viewer's token only into the CSRF fields the page itself wrote."""
    ResourceLinkFactory(engagement=engagement, title=typed)
    client.force_login(csm)
    for _ in range(2):  # rendered afresh, then served from the cache
        html = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
        assert f">{escape(typed)}</a>" in html
        tokens = set(CSRF_INPUT.findall(html))
        assert tokens and not any("placeholder" in token for token in tokens)
        outside_fields = CSRF_HEADER.sub("", CSRF_INPUT.sub("", html))
        assert not any(token in outside_fields for token in tokens)
