import pytest
from django.conf import settings
from playwright.sync_api import expect

from .helpers import axe_violations, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_log_in_to_their_workspace(page, live_server, csm, engagement):
    log_in(page, live_server, csm)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="My engagements")).to_be_visible()
    expect(page.get_by_role("link", name=engagement.name)).to_be_visible()
    screenshot(page, "staff-home")
    assert axe_violations(page) == []


def test_client_users_log_in_to_their_portal(page, live_server, client_key_user, engagement, other_engagement):
    log_in(page, live_server, client_key_user)
    expect(page).to_have_url(f"{live_server.url}/portal/engagements/{engagement.pk}/")
    expect(page.get_by_role("heading", name=engagement.name)).to_be_visible()
    screenshot(page, "portal-home")
    assert axe_violations(page) == []
    # Another client's engagement does not exist for them.
    response = page.goto(f"{live_server.url}/portal/engagements/{other_engagement.pk}/")
    assert response.status == 404


def test_repeated_wrong_passwords_lock_the_account(page, live_server, csm):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(page, live_server, csm, password="not-my-password")
    expect(page.get_by_test_id("locked-out")).to_be_visible()
    # Even the right password is refused while the lock lasts.
    log_in(page, live_server, csm)
    expect(page.get_by_test_id("locked-out")).to_be_visible()
    screenshot(page, "locked-out")


def test_wrong_password_shows_a_clear_message(page, live_server, csm):
    log_in(page, live_server, csm, password="not-my-password")
    expect(page.get_by_text("Please enter a correct email address and password")).to_be_visible()
    assert axe_violations(page) == []
