"""In a real browser (issue 21): a CSM links checklist items into a chain on the item pages (a picker of the
engagement's items), the client's late task moves its dependents and the forecast go-live, the engagement page
shows how far behind the forecast is and which items hold it, and the client's key user sees in the portal that
their task holds the go-live; at desktop width and at 390 px, every page checked with axe-core and photographed."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checklists import services
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements.models import Side
from tests.browser.helpers import axe_violations, log_in_as, log_out, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checked(page, name):
    screenshot(page, name)
    assert axe_violations(page) == [], name


def test_a_csm_chains_items_and_the_late_client_task_holds_the_go_live(
    page, live_server, csm, engagement, client_key_user
):
    # Dates in working days back from today, so the journey reads the same whatever day it runs.
    calendar = services.plan_of(engagement, today=timezone.localdate())[2]
    today = calendar.on_or_after(timezone.localdate())
    due = calendar.add(today, -3)
    stage = ChecklistStageFactory(engagement=engagement, title="Environment access")
    contact = ChecklistItemFactory(
        stage=stage, title="Name the network contact", due_on=due, owner_side=Side.CLIENT, assignee=client_key_user
    )
    environment = ChecklistItemFactory(stage=stage, title="Set up the test environment", due_on=due, assignee=csm)
    qa = ChecklistItemFactory(stage=stage, title="Start QA", due_on=calendar.add(due, 1), assignee=csm)
    # The plan as it was meant: the contact, then the environment, then QA, each a working day; go-live after QA.
    engagement.target_go_live_on = calendar.add(due, 2)
    engagement.save()

    log_in_as(page, live_server, csm)
    page.goto(f"{live_server.url}/engagements/items/{environment.pk}/")
    page.get_by_label("Add an item it waits for").select_option(label="Name the network contact")
    page.get_by_role("button", name="Link", exact=True).click()
    expect(page.get_by_text("Linked: the plan moved what waits for it.")).to_be_visible()
    expect(page.get_by_test_id("predecessors")).to_contain_text("Name the network contact")
    expect(page.get_by_test_id("item-critical")).to_be_visible()
    checked(page, "plan-item-linked")

    page.goto(f"{live_server.url}/engagements/items/{qa.pk}/")
    page.get_by_label("Add an item it waits for").select_option(label="Set up the test environment")
    page.get_by_label("Lag (working days)").fill("0")
    page.get_by_role("button", name="Link", exact=True).click()
    expect(page.get_by_test_id("predecessors")).to_contain_text("Set up the test environment")
    # The history says why the date moved.
    expect(page.get_by_test_id("history")).to_contain_text("it now waits for “Set up the test environment”")

    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    forecast = page.get_by_test_id("forecast")
    expect(forecast.get_by_test_id("forecast-variance")).to_have_text("3 working days behind")
    expect(forecast.get_by_test_id("critical-path")).to_contain_text("Name the network contact")
    expect(forecast.get_by_test_id("critical-path")).to_contain_text("the client's")
    expect(forecast.get_by_test_id("critical-path")).to_contain_text("holds it by 3 working days")
    forecast.scroll_into_view_if_needed()
    checked(page, "plan-engagement-forecast")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/#forecast")
    expect(page.get_by_test_id("forecast")).to_be_visible()
    checked(page, "plan-engagement-forecast-phone")
    page.goto(f"{live_server.url}/engagements/items/{qa.pk}/")
    checked(page, "plan-item-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_out(page)

    log_in_as(page, live_server, client_key_user)
    page.goto(f"{live_server.url}/portal/tasks/{contact.pk}/")
    expect(page.get_by_test_id("holds-go-live")).to_have_text("This holds the go-live by 3 days.")
    checked(page, "plan-portal-task")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_test_id("holds-go-live")).to_be_visible()
    checked(page, "plan-portal-task-phone")
