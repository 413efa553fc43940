"""In a real browser (issue 8's "Done when"): a PM applies the default plan, opens the next weekly status meeting
with its live agenda, records minutes with a decision and a client-side action item, logs a promise, and shares
the minutes; the key user reads them in the portal, completes the action item (among their tasks) and sees the
promise; the engagement's feed, fetched by its token URL, contains the meeting. Each page is checked with axe."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements.tests.factories import StakeholderFactory
from governance.models import Meeting, Outcome
from governance.tests.factories import default_cadences
from tests.browser.helpers import axe_violations, screenshot
from tests.browser.helpers import log_in as _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    _log_in(page, live_server, user)
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def log_out(page):
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()


def clean(page):
    violations = axe_violations(page)
    assert violations == [], violations


def test_a_pm_runs_a_weekly_status_meeting_and_the_client_follows_up(
    page, live_server, playwright, pm, client_key_user, engagement
):
    default_cadences()
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user, name=client_key_user.full_name)
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title="Scope and obligations")
    ChecklistItemFactory(stage=stage, title="Send the warehouse data export", client_side=True, overdue=True)
    ChecklistItemFactory(stage=stage, title="Set up the VPN", overdue=True)

    # 1. The PM applies the default plan.
    log_in(page, live_server, pm)
    page.goto(f"{live_server.url}/governance/engagements/{engagement.pk}/")
    clean(page)
    page.get_by_test_id("apply-plan").get_by_role("button", name="Apply the plan").click()
    expect(page.get_by_text("Applied:")).to_be_visible()
    expect(page.get_by_test_id("series-weekly-status")).to_be_visible()
    screenshot(page, "governance-plan")
    clean(page)

    # 2. The next weekly status meeting: its agenda shows the live items.
    page.get_by_test_id("series-weekly-status").get_by_role("link").last.click()
    expect(page.get_by_role("heading", name="Weekly status meeting")).to_be_visible()
    entries = page.get_by_test_id("live-entry")
    expect(entries.filter(has_text="Send the warehouse data export")).to_be_visible()
    expect(entries.filter(has_text="Set up the VPN")).to_be_visible()
    clean(page)
    page.get_by_role("button", name="Prepare the agenda").click()
    expect(page.get_by_text("The agenda is ready")).to_be_visible()
    meeting = Meeting.objects.get(pk=int(re.search(r"/meetings/(\d+)/", page.url).group(1)))
    # The meeting's time comes: it is under way (the clock of the live server is the real one).
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(minutes=25)
    )
    page.reload()

    # 3. Minutes with a decision and a client-side action item, then shared.
    progress = page.get_by_test_id("agenda-section").first
    progress.get_by_label("Minutes (shared with the client)").fill("The test environment is ready; two items slipped.")
    with page.expect_response(lambda response: "/governance/agenda-items/" in response.url):
        progress.get_by_role("button", name="Save the minutes").click()
    expect(progress.get_by_label("Minutes (shared with the client)")).to_have_value(
        "The test environment is ready; two items slipped."
    )
    progress.get_by_text("Record an outcome").click()
    progress.get_by_label("Kind").select_option(label="Decision")
    progress.get_by_label("Outcome", exact=True).fill("Keep the go-live date of 1 June.")
    progress.get_by_role("button", name="Record").click()
    expect(progress.get_by_text("Keep the go-live date of 1 June.")).to_be_visible()
    progress.get_by_text("Record an outcome").click()
    progress.get_by_label("Kind").select_option(label="Action item")
    progress.get_by_label("Outcome", exact=True).fill("Send the list of warehouse users")
    progress.get_by_label("Side (action items)").select_option(label="Client")
    progress.get_by_label("Owner (action items)").select_option(label=client_key_user.full_name)
    progress.get_by_label("Due (action items)").fill((timezone.localdate() + timedelta(days=5)).isoformat())
    progress.get_by_role("button", name="Record").click()
    expect(progress.get_by_text("Send the list of warehouse users")).to_be_visible()
    # A promise made in the meeting, logged with its owner and due time.
    promises = page.locator("#promises")
    promises.get_by_text("Record a promise").click()
    promises.get_by_label("What was promised").fill("We send the cut-over plan by Friday 12:00")
    promises.get_by_label("Owner").select_option(label=pm.full_name)
    promises.get_by_label("Due (your time zone)").fill(
        (timezone.localtime() + timedelta(days=3)).replace(hour=12, minute=0).strftime("%Y-%m-%dT%H:%M")
    )
    promises.get_by_test_id("record-promise").click()
    expect(page.get_by_text("Promise recorded")).to_be_visible()
    expect(page.locator("#promises")).to_contain_text("We send the cut-over plan by Friday 12:00")
    clean(page)
    page.get_by_test_id("share-minutes").click()
    expect(page.get_by_role("alert").filter(has_text="Minutes shared")).to_be_visible()
    expect(page.get_by_test_id("minutes-version-1")).to_be_visible()
    screenshot(page, "governance-meeting-minutes")
    clean(page)
    log_out(page)

    # 4. The key user reads the minutes and completes the action item.
    log_in(page, live_server, client_key_user)
    page.goto(f"{live_server.url}/portal/meetings/")
    clean(page)
    page.get_by_role("link", name="Weekly status meeting").first.click()
    minutes = page.get_by_test_id("shared-minutes")
    expect(minutes).to_contain_text("The test environment is ready; two items slipped.")
    expect(minutes).to_contain_text("Keep the go-live date of 1 June.")
    expect(minutes).to_contain_text("Send the list of warehouse users")
    page.get_by_test_id("acknowledge").click()
    expect(page.get_by_test_id("acknowledged")).to_be_visible()
    screenshot(page, "portal-minutes")
    clean(page)
    # The action item is among the key user's tasks; they follow it and complete it.
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Onboarding").click()
    page.get_by_role("link", name="My tasks").first.click()
    other_tasks = page.get_by_test_id("task-list")
    expect(other_tasks).to_contain_text("Send the list of warehouse users")
    clean(page)
    other_tasks.get_by_role("link", name="Send the list of warehouse users").click()
    action = Outcome.objects.get(text="Send the list of warehouse users")
    page.get_by_test_id(f"complete-action-{action.pk}").click()
    expect(page.get_by_text("Thank you, the action item is done.")).to_be_visible()
    clean(page)
    action.refresh_from_db()
    assert action.status == "done"

    page.goto(f"{live_server.url}/portal/promises/")
    expect(page.get_by_test_id("client-promises")).to_contain_text("We send the cut-over plan by Friday 12:00")
    clean(page)

    # 5. The engagement's feed, fetched by its token URL without a session, contains the meeting.
    page.goto(f"{live_server.url}/portal/meetings/")
    page.get_by_role("button", name="Get my subscription address").click()
    url = page.get_by_test_id("feed-url").input_value()
    assert f"/governance/feeds/engagements/{engagement.pk}/" in url
    outsider = playwright.request.new_context()
    response = outsider.get(url)
    assert response.status == 200
    calendar = Calendar.from_ical(response.body())
    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    assert any(uid.startswith(str(meeting.uid)) for uid in uids)
    outsider.dispose()
