import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD

from .helpers import axe_violations, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _speaks_german(user):
    user.language = "de"
    user.save(update_fields=["language"])
    return user


def test_a_german_csm_works_in_german(page, live_server, csm, engagement):
    log_in(page, live_server, _speaks_german(csm))
    expect(page.get_by_role("heading", name="Meine Projekte")).to_be_visible()
    expect(page.get_by_role("link", name="Übersicht")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Zustand")).to_be_visible()
    screenshot(page, "de-staff-home")
    assert axe_violations(page) == []
    page.get_by_role("link", name=engagement.name).click()
    expect(page.get_by_role("heading", name="Checkliste")).to_be_visible()
    screenshot(page, "de-engagement")
    assert axe_violations(page) == []


def test_a_german_key_user_sees_the_portal_in_german(page, live_server, client_key_user, engagement):
    log_in(page, live_server, _speaks_german(client_key_user))
    expect(page.get_by_text("Nächster Schritt auf Ihrer Seite")).to_be_visible()
    page.get_by_role("link", name=engagement.name).click()
    expect(page.get_by_text("Ihr Team")).to_be_visible()
    expect(page.get_by_role("link", name="Meine Aufgaben").first).to_be_visible()
    screenshot(page, "de-portal-home")
    assert axe_violations(page) == []


def test_a_german_browser_gets_the_login_page_in_german(browser, live_server, csm):
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.get_by_label("E-Mail-Adresse").fill(csm.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    # After login the user's own choice (English) wins over the browser's.
    expect(page.get_by_role("heading", name="My engagements")).to_be_visible()
    context.close()
