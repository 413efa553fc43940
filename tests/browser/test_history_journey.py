"""In a real browser, a CSM adds a team member on the engagement page, then opens its History tab and finds the
change with their name and address, the renamed checklist item's title before and after, and the CSV export
(issue 20). The page is checked with axe-core and photographed."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from tests.browser.helpers import axe_violations, log_in_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_csm_reads_the_engagement_s_history(page, live_server, csm, vendor, engagement):
    newcomer = UserFactory(role="team_member", organization=vendor, full_name="Nina Newcomer")
    stage = ChecklistStageFactory(engagement=engagement, title="Design")
    item = ChecklistItemFactory(stage=stage, title="Map the warehouse codes")
    type(item).objects.filter(pk=item.pk).update(title="Map the warehouse and store codes")

    log_in_as(page, live_server, csm)
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    page.get_by_text("Add a team member").click()
    page.locator("#id_user").select_option(label=str(newcomer))
    page.get_by_label("Role on the engagement").fill("QA")
    page.get_by_role("button", name="Add", exact=True).click()

    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    page.get_by_test_id("history-link").click()
    expect(page.get_by_role("heading", name=f"History: {engagement.name}")).to_be_visible()
    entries = page.get_by_test_id("history-entry")
    newest = entries.first
    expect(newest).to_contain_text(csm.full_name)
    expect(newest).to_contain_text("127.0.0.1")
    expect(page.get_by_test_id("history-table")).to_contain_text(
        "Title: Map the warehouse codes → Map the warehouse and store codes"
    )
    screenshot(page, "history-tab-csm")
    assert axe_violations(page) == []
    with page.expect_download() as download:
        page.get_by_test_id("history-csv").click()
    assert download.value.suggested_filename == f"engagement-{engagement.pk}-history.csv"
