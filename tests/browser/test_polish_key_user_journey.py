"""Issue 11's final journey, first part: a Polish client key user on a phone logs in through the real form, reads
the portal home in Polish, raises a complaint and follows it, reads the SLA figures, then switches to English.
Each page is checked with axe and for sideways scrolling at 390 px."""

import pytest
from django.utils.translation import gettext, ngettext, override
from playwright.sync_api import expect

from escalations.models import RedFlag
from tests.browser.helpers import axe_violations, log_in_as, screenshot
from tests.browser.test_phone_width import SIDEWAYS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pl(text: str) -> str:
    """The Polish the user sees, from the project's own catalogue (the test follows the translation)."""
    with override("pl"):
        return gettext(text)


def checked(page, name: str) -> None:
    assert axe_violations(page) == []
    assert page.evaluate(SIDEWAYS) == []
    screenshot(page, f"pl-journey-{name}")


def test_a_polish_key_user_on_a_phone(page, live_server, client_key_user, engagement, uploads):
    client_key_user.language = "pl"
    client_key_user.save(update_fields=["language"])

    # 1. The real login form (on a wide screen, where the user menu the helper waits for is not collapsed); then a
    # phone. The home speaks Polish.
    log_in_as(page, live_server, client_key_user)
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.get_by_role("heading", name="Czeka na Ciebie")).to_be_visible()
    checked(page, "home")

    # 4. A complaint, raised in Polish, followed on its page; the SLA figures count it.
    page.goto(f"{live_server.url}/portal/flags/new/")
    page.get_by_label(pl("Title")).fill("Zamówienia nie docierają do magazynu")
    page.get_by_label(pl("What happened?")).fill("Od 07:00 żadne zamówienie ze sklepu nie dotarło do WMS.")
    # The file picker speaks Polish (not the browser's "Choose files"), the keyboard reaches the real input, and
    # the status counts the chosen files in Polish plural forms.
    picker = page.get_by_label(pl("Attachments (optional)"))
    expect(page.get_by_text(pl("Choose files"), exact=True)).to_be_visible()
    status = page.locator(".file-picker-status")
    expect(status).to_have_text(pl("No file chosen"))
    page.get_by_label(pl("Severity")).focus()
    page.keyboard.press("Tab")
    expect(picker).to_be_focused()
    log = uploads / "log.txt"
    log.write_text("07:00 WMS timeout\n")
    screenshot_file = uploads / "wms.txt"
    screenshot_file.write_text("HTTP 504\n")
    picker.set_input_files([str(log), str(screenshot_file)])
    with override("pl"):
        two_files = ngettext("%(count)s file chosen", "%(count)s files chosen", 2) % {"count": 2}
    assert two_files == "Wybrano 2 pliki"
    expect(status).to_have_text(f"{two_files}: log.txt, wms.txt")
    checked(page, "raise")
    page.get_by_role("button", name=pl("Raise the red flag")).click()
    expect(page.get_by_test_id("flag-level")).to_contain_text("1 / 4")
    # One breadcrumb, above the messages (the red-flag page drew a second one below them).
    expect(page.locator("ol.breadcrumb")).to_have_count(1)
    expect(page.get_by_role("link", name="wms.txt")).to_be_visible()
    checked(page, "flag")
    assert RedFlag.objects.filter(engagement=engagement, title__startswith="Zamówienia").count() == 1
    page.goto(f"{live_server.url}/portal/service-levels/")
    expect(page.get_by_test_id("sla-flags")).to_have_text("1")
    checked(page, "service-levels")

    # 6. The switcher turns the portal English.
    page.get_by_test_id("language-switcher").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    checked(page, "english")
