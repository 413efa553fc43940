"""In a real browser, the issue's "Done when": a client raises a complaint in the portal; the PM sees it red-flagged;
with time moved past the acknowledge deadline the sweep escalates it to the next level and tells them; the client sees
the new level and the timeline; an action plan with a client-side step is agreed; the flag is resolved and the client
confirms it; the SLA figures change accordingly. Every page is checked with axe-core and photographed."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from escalations import services, timers
from escalations.coverage import coverage_of
from escalations.models import FlagEvent, FlagStatus, RedFlag
from notifications.services import notification_relay
from tests.browser.helpers import axe_violations, screenshot
from tests.browser.helpers import log_in as _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    _log_in(page, live_server, user)
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def log_out(page):
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()


def checked(page, name):
    screenshot(page, name)
    assert axe_violations(page) == [], name


def raised_earlier(flag: RedFlag, business: timedelta) -> None:
    """As if the flag had been raised ``business`` of the engagement's business time ago, its timers set as raising
    sets them. Business time, not wall-clock time: on a Sunday night the hours since Friday evening count nothing,
    so moving a flag back a few wall-clock hours would leave its deadline, and its response, within target."""
    now = timezone.now()
    coverage = coverage_of(flag.engagement_id)
    low, high = timedelta(0), timedelta(days=60)  # the wall-clock distance back, bisected to the second
    while high - low > timedelta(seconds=1):
        middle = (low + high) / 2
        low, high = (low, middle) if coverage.clock.between(now - middle, now) >= business else (middle, high)
    flag.raised_at = now - high
    timers.enter_level(flag, level=flag.level, coverage=coverage, path=coverage.path, now=flag.raised_at)
    flag.save()
    FlagEvent.objects.filter(flag=flag).update(at=flag.raised_at)


def acknowledge_target(flag: RedFlag) -> timedelta:
    coverage = coverage_of(flag.engagement_id)
    acknowledge, _resolve = coverage.targets(
        path=coverage.path, level=flag.level, severity=flag.severity, on=timers.raise_day(flag, coverage)
    )
    return acknowledge


def test_a_complaint_climbs_the_path_and_is_resolved_with_the_client(
    page, live_server, client_key_user, pm, csm, engagement
):
    # 1. The client raises a complaint in the portal; the escalation path is explained before they do.
    log_in(page, live_server, client_key_user)
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Escalations").click()
    expect(page.get_by_test_id("escalation-path")).to_contain_text("acknowledged within")
    checked(page, "escalations-portal-path")
    page.get_by_test_id("raise-complaint").click()
    page.get_by_label("Title").fill("Orders are not reaching the warehouse")
    page.get_by_label("What happened?").fill("Since 07:00 no order from the web shop arrived in the WMS.")
    page.get_by_label("Category").select_option(label="Quality of the work")
    page.get_by_label("Severity").select_option(label="High")
    checked(page, "escalations-portal-raise")
    page.get_by_role("button", name="Send the complaint").click()
    expect(page.get_by_text("Your complaint is registered")).to_be_visible()
    flag = RedFlag.objects.get()
    expect(page.get_by_test_id("flag-level")).to_contain_text("1 / 4")
    page.goto(f"{live_server.url}/portal/service-levels/")
    expect(page.get_by_test_id("sla-flags")).to_have_text("1")
    expect(page.get_by_test_id("sla-resolution-share")).to_have_text("—")
    log_out(page)

    # 2. The PM sees it red-flagged and is told.
    log_in(page, live_server, pm)
    page.get_by_role("link", name="Red flags").click()
    row = page.get_by_test_id(f"flag-row-{flag.pk}")
    expect(row).to_contain_text("Orders are not reaching the warehouse")
    expect(row).to_contain_text("Open")
    checked(page, "escalations-staff-list")
    page.goto(f"{live_server.url}/notifications/")
    expect(page.get_by_text("Red flag raised: Orders are not reaching the warehouse")).to_be_visible()
    log_out(page)

    # 3. Time moves past the acknowledge deadline: the sweep escalates it to customer success and tells the CSM.
    flag.refresh_from_db()
    raised_earlier(flag, acknowledge_target(flag) + timedelta(minutes=1))
    assert flag.ack_due_at < timezone.now()
    assert services.escalation_sweep() == 1
    # The notification relay (kicked on commit, ticked by beat) expands who must be told into their notifications
    # and sends the mail.
    notification_relay()
    flag.refresh_from_db()
    assert (flag.level, flag.owner) == (2, csm)
    log_in(page, live_server, csm)
    page.goto(f"{live_server.url}/notifications/")
    expect(page.get_by_text("Red flag escalated to level 2 (Customer success)")).to_be_visible()

    # 5. The CSM agrees an action plan with a client-side step.
    page.goto(f"{live_server.url}/escalations/flags/{flag.pk}/")
    expect(page.get_by_test_id("flag-level")).to_contain_text("2 / 4")
    step_form = page.get_by_test_id("step-form")
    step_form.get_by_label("Step").fill("Send the order numbers that went missing since 07:00")
    step_form.get_by_label("Owner side").select_option(label="Client")
    step_form.locator("#id_owner").select_option(label=client_key_user.full_name)
    step_form.get_by_label("Due date").fill((timezone.localdate() + timedelta(days=1)).isoformat())
    step_form.get_by_label("Risk if it is not done").fill("Lost orders cannot be replayed.")
    step_form.get_by_role("button", name="Add step").click()
    expect(page.get_by_text("Step added to the action plan.")).to_be_visible()
    page.get_by_text("Add a step").click()
    step_form = page.get_by_test_id("step-form")
    step_form.get_by_label("Step").fill("Replay the lost orders into the WMS")
    step_form.get_by_label("Owner side").select_option(label="Vendor")
    step_form.locator("#id_owner").select_option(label=csm.full_name)
    step_form.get_by_label("Due date").fill((timezone.localdate() + timedelta(days=2)).isoformat())
    step_form.get_by_label("Risk if it is not done").fill("The warehouse ships late.")
    step_form.get_by_role("button", name="Add step").click()
    page.get_by_test_id("plan-agree").click()
    expect(page.get_by_test_id("flag-status")).to_have_text("Action plan agreed")
    checked(page, "escalations-staff-flag")
    log_out(page)

    # 4. The client sees their step among their tasks, then the new level, the timeline and the plan.
    log_in(page, live_server, client_key_user)
    page.get_by_role("link", name="My tasks").first.click()
    expect(page.get_by_test_id("task-list")).to_contain_text("Send the order numbers")
    checked(page, "escalations-portal-tasks")
    page.get_by_role("link", name="Send the order numbers that went missing since 07:00").click()
    expect(page.get_by_test_id("flag-level")).to_contain_text("2 / 4")
    expect(page.get_by_test_id("event-escalated")).to_contain_text("to level 2")
    expect(page.get_by_test_id("plan-agreed")).to_be_visible()
    checked(page, "escalations-portal-flag")
    client_step = flag.steps.get(owner_side="client")
    page.get_by_test_id(f"step-{client_step.pk}").get_by_label("Status").select_option(label="Done")
    page.get_by_test_id(f"step-{client_step.pk}").get_by_label("Note").fill("List sent to the PM by mail.")
    page.get_by_test_id(f"step-update-{client_step.pk}").click()
    expect(page.get_by_text("the team sees the step's new status")).to_be_visible()
    log_out(page)

    # 6. The CSM resolves it; the client confirms.
    log_in(page, live_server, csm)
    page.goto(f"{live_server.url}/escalations/flags/{flag.pk}/")
    page.get_by_text("Resolve", exact=True).click()
    page.get_by_label("What was done (the client sees it and confirms)").fill("All 37 orders replayed; the feed runs.")
    page.get_by_test_id("resolve").click()
    expect(page.get_by_text("Resolved; the client is asked to confirm.")).to_be_visible()
    log_out(page)
    log_in(page, live_server, client_key_user)
    page.goto(f"{live_server.url}/portal/flags/{flag.pk}/")
    expect(page.get_by_test_id("confirm-box")).to_contain_text("All 37 orders replayed")
    page.get_by_test_id("confirm-resolution").click()
    expect(page.get_by_text("Thank you for confirming")).to_be_visible()
    flag.refresh_from_db()
    assert flag.status == FlagStatus.CLOSED

    # 7. The SLA figures changed: the response missed its target (it escalated), the resolution is counted.
    page.goto(f"{live_server.url}/portal/service-levels/")
    expect(page.get_by_test_id("sla-response-share")).to_have_text("0 %")
    expect(page.get_by_test_id("sla-resolution-share")).to_contain_text("%")
    checked(page, "escalations-portal-sla")
