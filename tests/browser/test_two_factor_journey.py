"""A staff member turns on two-factor login from the profile, logs out, and logs in with the password and a code."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import totp_code

from .helpers import axe_violations, log_in, log_out, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_enrol_totp_from_the_profile_and_log_in_with_it(page, live_server, csm, engagement):
    log_in(page, live_server, csm)
    expect(page.get_by_role("heading", name="My engagements")).to_be_visible()
    page.goto(f"{live_server.url}/accounts/profile/")
    page.get_by_role("link", name="Set up two-factor login").click()
    expect(page.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    screenshot(page, "mfa-enrol")
    assert axe_violations(page) == []
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.get_by_label("Code from the app").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on two-factor login").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    screenshot(page, "mfa-recovery-codes")
    page.get_by_role("link", name="I have saved them").click()
    expect(page.get_by_test_id("mfa-on")).to_be_visible()

    log_out(page)
    log_in(page, live_server, csm)
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/authenticate/")
    screenshot(page, "mfa-code-page")
    assert axe_violations(page) == []
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page.get_by_text("That code is wrong or was already used")).to_be_visible()
    page.get_by_label("Code").fill(totp_code(secret, step=1))
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page.get_by_role("heading", name="My engagements")).to_be_visible()


def test_a_decision_asks_for_the_code_again_and_keeps_what_was_submitted(page, live_server, csm, settings):
    from accounts.tests.factories import enrol_totp

    from .helpers import log_in_with_code

    secret = enrol_totp(csm)
    log_in_with_code(page, live_server, csm, secret)
    expect(page.get_by_role("heading", name="My engagements")).to_be_visible()
    # Every second factor is "old" now: the next decision asks for a code again.
    settings.MFA_STEP_UP_MINUTES = 0
    page.goto(f"{live_server.url}/api/tokens/")
    page.get_by_label("Name").fill("Reporting")
    page.get_by_label("Engagements: read", exact=True).check()
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_test_id("step-up-form")).to_be_visible()
    screenshot(page, "mfa-step-up")
    assert axe_violations(page) == []
    page.get_by_label("Code").fill(totp_code(secret, step=1))
    page.get_by_role("button", name="Confirm my decision").click()
    expect(page.get_by_test_id("new-token")).to_be_visible()
    assert csm.api_tokens.filter(name="Reporting").exists()
