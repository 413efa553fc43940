import pytest
from django.conf import settings
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD

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
    expect(page).to_have_url(f"{live_server.url}/portal/")
    expect(page.get_by_test_id(f"project-{engagement.pk}")).to_contain_text(engagement.name)
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


def _mailed_link(marker):
    from django.core import mail

    from notifications.services import notification_relay

    notification_relay()
    message = mail.outbox[-1]
    return message, next(line for line in message.body.splitlines() if marker in line).strip()


def test_a_forgotten_password_is_reset_by_the_mailed_link(page, live_server, csm, settings):
    settings.SITE_URL = live_server.url
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email address").fill(csm.email.upper())
    page.get_by_role("button", name="Send the link").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/password/reset/done/")
    assert axe_violations(page) == []
    message, link = _mailed_link("/accounts/password/reset/")
    assert message.to == [csm.email]
    page.goto(link)
    page.locator("#id_new_password1").fill("brand-new-phrase-42")
    page.locator("#id_new_password2").fill("brand-new-phrase-42")
    page.get_by_role("button", name="Set password").click()
    log_in(page, live_server, csm, password="brand-new-phrase-42")
    expect(page.get_by_role("heading", name="My engagements")).to_be_visible()


def test_an_email_change_waits_for_the_new_address_to_confirm(page, live_server, csm, settings):
    settings.SITE_URL = live_server.url
    old_email = csm.email
    log_in(page, live_server, csm)
    page.goto(f"{live_server.url}/accounts/profile/")
    page.get_by_label("New email address").fill("anna.k@northwind.example")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Send confirmation link").click()
    expect(page.get_by_text("We sent a confirmation link to anna.k@northwind.example")).to_be_visible()
    expect(page.get_by_test_id("pending-email-change")).to_be_visible()
    screenshot(page, "email-change-pending")
    assert axe_violations(page) == []
    message, link = _mailed_link("/accounts/email/confirm/")
    assert message.to == ["anna.k@northwind.example"]
    page.goto(link)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Confirm my new address").click()
    expect(page.get_by_text("Your email address is now anna.k@northwind.example.")).to_be_visible()
    notice, _link = _mailed_link("anna.k@northwind.example")
    assert notice.to == [old_email]
