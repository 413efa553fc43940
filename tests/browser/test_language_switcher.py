import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD

from .helpers import axe_violations, log_in_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_the_switcher_changes_the_language_and_it_sticks(page, live_server, csm, engagement):
    log_in_as(page, live_server, csm)
    expect(page.get_by_role("heading", name="My engagements")).to_be_visible()
    # On a phone: the switcher sits at the foot of the page and fits its width.
    page.set_viewport_size({"width": 390, "height": 800})
    switcher = page.get_by_test_id("language-switcher")
    expect(switcher.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")

    switcher.get_by_role("button", name="Polski").click()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.get_by_role("heading", name="Moje projekty")).to_be_visible()
    expect(page.get_by_test_id("language-switcher").get_by_role("button", name="Polski")).to_have_attribute(
        "aria-current", "true"
    )
    assert page.evaluate(SIDEWAYS) <= 0
    screenshot(page, "pl-staff-home-390")
    assert axe_violations(page) == []

    # Saved with the account: after logging out the sign-in page speaks Polish, and so does the next session.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Wyloguj się").click()
    expect(page.get_by_role("button", name="Zaloguj się")).to_be_visible()
    screenshot(page, "pl-login-390")
    assert axe_violations(page) == []
    page.get_by_label("Adres e-mail").fill(csm.email)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.get_by_role("heading", name="Moje projekty")).to_be_visible()

    # By keyboard: the switcher's buttons are reachable and pressed with Enter.
    page.get_by_test_id("language-switcher").get_by_role("button", name="Deutsch").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Meine Projekte")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "de")


def test_a_polish_key_user_sees_the_portal_in_polish(page, live_server, client_key_user, engagement):
    client_key_user.language = "pl"
    client_key_user.save(update_fields=["language"])
    log_in_as(page, live_server, client_key_user)
    expect(page.get_by_text("Następny krok po Twojej stronie")).to_be_visible()
    page.get_by_role("link", name=engagement.name).click()
    expect(page.get_by_text("Twój zespół")).to_be_visible()
    screenshot(page, "pl-portal-engagement")
    assert axe_violations(page) == []
