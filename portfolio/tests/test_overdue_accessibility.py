"""Overdue work is tinted red: the tint must keep text readable (axe colour contrast) and say
"overdue" in words, so the warning does not rely on colour alone (WCAG 1.4.1)."""

import pytest
from playwright.sync_api import expect

from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from tests.browser.helpers import axe_violations, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def overdue_items(engagement):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    return [
        ChecklistItemFactory(stage=stage, overdue=True, client_side=True, title="Send the org chart"),
        ChecklistItemFactory(stage=stage, overdue=True, title="Set up the test environment"),
        # Needs a file: the tasks list shows an outlined "Mark done" link on the red tint.
        ChecklistItemFactory(stage=stage, overdue=True, client_side=True, evidence_required="file", title="Sign RACI"),
    ]


def test_overdue_work_is_readable_and_named_in_the_portal(
    page, live_server, client_key_user, engagement, overdue_items
):
    log_in(page, live_server, client_key_user)
    page.goto(f"{live_server.url}/portal/engagements/{engagement.pk}/")
    expect(page.locator("#stage-" + str(overdue_items[0].stage_id)).get_by_text("overdue").first).to_be_visible()
    screenshot(page, "portal-overdue")
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/portal/tasks/")
    expect(page.get_by_test_id("task-list").get_by_text("overdue").first).to_be_visible()
    assert axe_violations(page) == []


def test_overdue_work_is_readable_on_the_engagement_page(page, live_server, csm, engagement, overdue_items):
    log_in(page, live_server, csm)
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    expect(page.get_by_test_id(f"item-{overdue_items[0].pk}")).to_contain_text("overdue")
    screenshot(page, "engagement-overdue")
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/engagements/items/{overdue_items[0].pk}/")
    expect(page.get_by_test_id("item-status")).to_contain_text("overdue")
    assert axe_violations(page) == []
