"""The onboarding journey in a real browser: a CSM sets up a client and its checklist, the client's
key user does their part in the portal, and the CSM sees the progress and health."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Organization
from accounts.tests.factories import UserFactory
from checklists.models import ChecklistItem, ItemStatus
from tests.browser.helpers import axe_violations, log_in_as, log_out, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def default_template():
    """Transactional tests flush the database, data migrations included: put the default back."""
    from checklists.services import template_default_ensure

    return template_default_ensure()


def test_csm_onboards_a_client_and_the_key_user_accepts(
    page, live_server, csm, pm, deputy_pm, uploads, tmp_path, default_template
):
    page.set_default_timeout(10_000)
    # --- The CSM creates the client and the engagement.
    log_in_as(page, live_server, csm)
    page.get_by_role("link", name="Clients").first.click()
    page.get_by_role("link", name="New client").click()
    page.get_by_label("Client name").fill("Umbrella Pharma")
    page.get_by_label("Industry").fill("Pharma")
    page.get_by_label("Knowledge page").fill("LIMS on Oracle; releases on Tuesdays.")
    page.get_by_role("button", name="Create client").click()
    expect(page.get_by_role("heading", name=re.compile("Umbrella Pharma"))).to_be_visible()

    page.get_by_role("link", name="New engagement").click()
    page.locator("#id_name").fill("Lab systems support")
    page.locator("#id_pm").select_option(label=pm.full_name)
    page.locator("#id_deputy_pm").select_option(label=deputy_pm.full_name)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Lab systems support")).to_be_visible()
    engagement_url = page.url

    # --- The handoff, the kickoff gate.
    page.get_by_role("link", name="Handoff", exact=True).click()
    page.get_by_label("The client's problem to solve").fill("Lab downtime delays batch release.")
    page.get_by_label("How they measure success").fill("No batch delayed by IT.")
    page.get_by_label("Political dynamics and sensitivities").fill("QA head distrusts outsourcing.")
    page.get_by_label("The handoff is complete").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Handoff saved.")).to_be_visible()

    # --- The stakeholder map, with the client's key user (invited meanwhile).
    umbrella = Organization.objects.get(name="Umbrella Pharma")
    key_user = UserFactory(key_user=True, organization=umbrella, full_name="Uma Key", email="uma@umbrella.example")
    page.get_by_role("link", name="Stakeholders").click()
    page.locator("#id_name").fill("Uma Key")
    page.get_by_label("Role in their organization").fill("Head of lab IT")
    page.get_by_label("Portal account").select_option(label="Uma Key")
    page.get_by_label("Key user").check()
    page.get_by_label("Executive sponsor").check()
    page.get_by_role("button", name="Add stakeholder").click()
    expect(page.get_by_test_id("stakeholder-table")).to_contain_text("Uma Key")

    # --- The default checklist, then the kickoff.
    page.goto(engagement_url)
    page.get_by_role("button", name="Apply template").click()
    expect(page.get_by_role("heading", name="Scope and obligations")).to_be_visible()
    # Today: the template dates its items from the kickoff, and a past kickoff would make them overdue.
    page.get_by_label("Kickoff date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Move to Kickoff").click()
    expect(page.get_by_text("Lab systems support moved to Kickoff.")).to_be_visible()
    expect(page.get_by_test_id("phase")).to_have_text("Kickoff")

    # --- Tick an item inline (htmx), then complete one with an uploaded file as evidence.
    scope = ChecklistItem.objects.get(stage__engagement__name="Lab systems support", title="Confirm services in scope")
    page.get_by_test_id(f"tick-{scope.pk}").click()
    expect(page.get_by_test_id(f"item-{scope.pk}").get_by_role("button", name=re.compile("Reopen"))).to_be_visible()
    plan = ChecklistItem.objects.get(stage__engagement__name="Lab systems support", title="Present the work plan")
    # In the checklist (it may also be among the next actions, due soon after a kickoff today).
    page.get_by_test_id(f"item-{plan.pk}").get_by_role("link", name="Present the work plan").click()
    evidence = tmp_path / "work-plan.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.get_by_label("Evidence file").set_input_files(str(evidence))
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_test_id("item-status")).to_have_text("Done")
    expect(page.get_by_test_id("evidence-download")).to_contain_text("work-plan.pdf")
    screenshot(page, "engagements-1-item-evidence")
    assert axe_violations(page) == []
    log_out(page)

    # --- The key user accepts the work plan in the portal, which closes their task and the work-plan stage.
    log_in_as(page, live_server, key_user)
    page.on("dialog", lambda dialog: dialog.accept())  # decisions ask for a confirmation
    page.get_by_role("link", name="My tasks").first.click()
    # The work plan's task is listed once, as the decision it stands for.
    decision = page.get_by_test_id("awaiting-decision").filter(has_text="Lab systems support")
    decision.get_by_role("link", name="Accept the work plan").click()
    page.get_by_test_id("accept-work-plan").click()
    expect(page.get_by_text("Thank you, your decision is recorded.")).to_be_visible()
    page.get_by_role("button", name="Score 4 of 5").first.click()
    expect(page.get_by_text("Thank you for your feedback.")).to_be_visible()
    # The work-plan stage is accepted with the work plan: one decision, no second pair of buttons.
    stage = ChecklistItem.objects.get(stage__engagement__name="Lab systems support", title="Accept the work plan").stage
    expect(page.get_by_test_id(f"stage-accepted-{stage.pk}")).to_be_visible()
    expect(page.get_by_test_id(f"accept-stage-{stage.pk}")).to_have_count(0)
    screenshot(page, "engagements-2-portal")
    assert axe_violations(page) == []
    assert "QA head distrusts" not in page.content()
    log_out(page)

    # --- The CSM sees the new progress and health on the engagement page and the dashboard.
    log_in_as(page, live_server, csm)
    page.goto(engagement_url)
    expect(page.get_by_test_id("overall-progress")).to_have_text("21% done")
    expect(page.get_by_test_id("health")).to_have_text("On track")
    expect(page.get_by_role("heading", name="Client decisions")).to_be_visible()
    decisions = page.locator("#acceptances + ul")
    expect(decisions.get_by_text("Accepted the work plan")).to_be_visible()
    screenshot(page, "engagements-3-engagement")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Dashboard").click()
    row = page.get_by_test_id(re.compile("engagement-row-")).filter(has_text="Lab systems support")
    expect(row.get_by_test_id("progress")).to_contain_text("21% · 3/14")
    expect(row.get_by_test_id("health")).to_have_text("On track")
    screenshot(page, "engagements-4-dashboard")
    assert axe_violations(page) == []
    assert (
        ChecklistItem.objects.filter(stage__engagement__name="Lab systems support", status=ItemStatus.DONE).count() == 3
    )
