import pytest
from playwright.sync_api import expect

from notifications.models import Delivery, NotificationPreference
from notifications.services import GENERIC_TEMPLATE, notify
from tests.browser.helpers import axe_violations, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A journey through the whole product, so the project's own categories (registered by engagements and governance).
CHECKLIST, GOVERNANCE = "checklist", "governance"


def test_a_user_changes_preferences_and_reads_notifications_in_the_centre(page, live_server, csm, engagement):
    for n, title in enumerate(["Signed DPA is due in 2 days", "Kickoff agenda is overdue"]):
        notify(
            event=f"journey:{n}",
            recipients=[csm],
            category=CHECKLIST,
            template=GENERIC_TEMPLATE,
            context={"title": title},
            url=f"/engagements/{engagement.pk}/",
        )
    log_in(page, live_server, csm)
    badge = page.get_by_test_id("unread-count")
    expect(badge).to_have_text("2 unread")
    page.get_by_test_id("nav-notifications").click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(page.get_by_test_id("notification")).to_have_count(2)
    screenshot(page, "notification-centre")
    assert axe_violations(page) == []

    # Mark one as read in place (htmx), then open the other: it leads to the engagement.
    first = page.get_by_test_id("notification").filter(has_text="Kickoff agenda is overdue")
    first.get_by_role("button", name="Mark as read").click()
    expect(first.get_by_role("button", name="Mark as read")).to_have_count(0)
    expect(badge).to_have_text("1 unread")  # the navigation's count follows at once (it does not poll)
    second = page.get_by_test_id("notification").filter(has_text="Signed DPA is due in 2 days")
    second.get_by_role("button", name="Open").click()
    expect(page).to_have_url(f"{live_server.url}/engagements/{engagement.pk}/")
    page.wait_for_load_state("networkidle")  # the badge is loaded by htmx after the page
    expect(page.get_by_test_id("unread-count")).to_have_count(0)

    # Preferences: checklist reminders in a daily digest at 07:00, meetings off.
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("link", name="Preferences").click()
    page.get_by_label("Checklist reminders").select_option(Delivery.DIGEST)
    page.get_by_label("Meetings and governance").select_option(Delivery.OFF)
    page.get_by_label("Send my daily digest at").select_option("7")
    expect(page.get_by_label("Escalations")).to_be_disabled()
    screenshot(page, "notification-preferences")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("Your notification preferences were saved.")).to_be_visible()
    expect(page.get_by_label("Checklist reminders")).to_have_value(Delivery.DIGEST)
    prefs = dict(NotificationPreference.objects.filter(user=csm).values_list("category", "delivery"))
    assert prefs[CHECKLIST] == Delivery.DIGEST and prefs[GOVERNANCE] == Delivery.OFF

    # A new checklist notification still shows in the centre (its email waits for the digest).
    notify(
        event="journey:later",
        recipients=[csm],
        category=CHECKLIST,
        template=GENERIC_TEMPLATE,
        context={"title": "Test plan is due tomorrow"},
    )
    page.goto(f"{live_server.url}/notifications/?show=unread")
    expect(page.get_by_test_id("notification")).to_have_count(1)
    expect(page.get_by_text("Test plan is due tomorrow")).to_be_visible()
