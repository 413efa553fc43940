"""In a real browser (issue 10): an admin edits a checklist template's stages and items on one page, and its item
table fits a 1,440 px screen without scrolling sideways."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from checklists.models import ChecklistTemplate
from tests.browser.helpers import log_in_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 1440


def test_the_template_page_fits_a_1440_px_screen(page, live_server, vendor):
    admin = UserFactory(organization=vendor, vendor_admin=True, is_staff=True, is_superuser=True)
    template = ChecklistTemplate.objects.filter(is_default=True).order_by("pk").first()
    page.set_viewport_size({"width": WIDTH, "height": 900})
    log_in_as(page, live_server, admin)
    page.goto(live_server.url + reverse("admin:checklists_checklisttemplate_change", args=[template.pk]))
    title = page.locator('input[name="stages-0-items-0-title"]')
    expect(title).to_be_visible()
    # The row's name Django draws over its first fields is left out (the title field says it).
    expect(page.locator("td.original p").first).to_be_hidden()
    screenshot(page, "admin-template-1440")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    # The last column of the item table (delete) is on the screen, not off to the right.
    table = page.locator("table").filter(has=title).first
    box = table.bounding_box()
    assert box is not None and box["x"] + box["width"] <= WIDTH
