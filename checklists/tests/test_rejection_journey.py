"""In a real browser: the key user rejects a stage in the portal; the CSM sees it reopened with the
reason and a rework item, and the go-live is refused with what is missing."""

import pytest
from playwright.sync_api import expect

from checklists.models import ChecklistItem, ItemStatus
from engagements.models import Phase
from engagements.tests.factories import StakeholderFactory
from tests.browser.helpers import axe_violations, log_in_as, log_out, screenshot

from .factories import ChecklistItemFactory, ChecklistStageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "The returns process for the Hamburg warehouse is missing."


def test_a_rejected_stage_is_reopened_for_the_team_and_blocks_the_go_live(
    page, live_server, csm, client_key_user, engagement
):
    engagement.phase = Phase.ONBOARDING
    engagement.save()
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user)
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title="Scope and obligations")
    ChecklistItemFactory(stage=stage, done=True, title="Confirm services in scope")

    log_in_as(page, live_server, client_key_user)
    page.on("dialog", lambda dialog: dialog.accept())  # decisions ask for a confirmation
    page.goto(f"{live_server.url}/portal/engagements/{engagement.pk}/")
    page.locator(f"#stage-{stage.pk}").get_by_label("Reason (needed to reject)").fill(REASON)
    page.locator(f"#stage-{stage.pk}").get_by_role("button", name="Reject").click()
    expect(page.get_by_text("Thank you, your decision is recorded.")).to_be_visible()
    expect(page.get_by_test_id(f"stage-reopened-{stage.pk}")).to_contain_text(REASON)
    log_out(page)

    log_in_as(page, live_server, csm)
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    expect(page.get_by_test_id(f"stage-reopened-{stage.pk}")).to_be_visible()
    expect(page.get_by_test_id(f"stage-reopened-reason-{stage.pk}")).to_contain_text(REASON)
    rework = ChecklistItem.objects.get(stage=stage, status=ItemStatus.OPEN)
    expect(page.get_by_test_id(f"item-{rework.pk}").get_by_role("link", name=rework.title)).to_be_visible()
    page.get_by_role("button", name="Move to Live").click()
    expect(page.get_by_text("The engagement cannot go live yet")).to_be_visible()
    expect(page.get_by_test_id("phase")).to_have_text("Onboarding")
    screenshot(page, "engagements-rejection-reopened")
    assert axe_violations(page) == []
