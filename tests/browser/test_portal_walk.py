"""A walk over every portal page as a client key user, on a desktop and on a phone: each page answers, axe-core finds
no serious or critical violation, nothing scrolls sideways at 390 px, and the navigation reaches every section (the
phone's collapsed menu included). The same walk runs over the staff "Preview as client", read-only.

``walk_portal`` is the reusable part: the final journey of issue 11 (Polish, phone) calls it with its own page.
The README's screenshots (``docs/screenshots/``) are written here too, from ``seed_demo``'s data: the demo a reader
can run, with its people's names and a Polish client, rather than test factories.
"""

import os
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from checklists.models import ChecklistItem, ItemStatus
from documents.models import Document
from engagements.models import Engagement
from escalations.models import RedFlag
from governance.models import Outcome
from governance.tests.factories import default_cadences
from onboarding_portal.demo import seed_all
from quality.models import QualityReport
from tests.browser.helpers import SCREENSHOTS, axe_violations
from tests.browser.test_phone_width import SIDEWAYS
from tests.test_portal_queries import KEY_USER_PAGES, PORTAL_PAGES, _fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The README's pictures are rewritten only when asked (UPDATE_README_SCREENSHOTS=1): they show the day they were taken,
# so every test run would otherwise leave them changed in the working tree. Otherwise they land beside the others.
DOCS_SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("UPDATE_README_SCREENSHOTS")
    else SCREENSHOTS / "readme"
)
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


def sign_in(context, live_server, user) -> None:
    """A session for ``user`` without the login form (the journeys test the form; the walk tests the pages)."""
    client = Client()
    client.force_login(user)
    context.clear_cookies()
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])


def portal_urls(engagement_pk: int, *, key_user: bool = True) -> list[str]:
    pages = PORTAL_PAGES + (KEY_USER_PAGES if key_user else [])
    return [reverse(name, args=[engagement_pk] if per_engagement else None) for name, per_engagement in pages]


def walk_portal(page, base_url: str, engagement_pk: int, *, phone: bool = False, key_user: bool = True) -> list[str]:
    """Every portal page (with ``key_user``, the key user's own too): the problems found (an answer other than
    200, axe violations, sideways scrolling)."""
    problems = []
    for url in portal_urls(engagement_pk, key_user=key_user):
        response = page.goto(base_url + url)
        if response is None or response.status != 200:
            problems.append(f"{url}: {response and response.status}")
            continue
        page.wait_for_load_state("networkidle")
        problems += [f"{url}: {violation}" for violation in axe_violations(page)]
        if phone:
            problems += [f"{url} at 390 px: {where}" for where in page.evaluate(SIDEWAYS)]
    return problems


def _sections(page) -> list[str]:
    return [text.strip() for text in page.locator("#nav-main .navbar-nav.me-auto .nav-link").all_inner_texts()]


def _shot(page, name: str) -> None:
    page.wait_for_load_state("networkidle")  # the parts a page loads after it shows (htmx)
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SCREENSHOTS / f"{name}.png"))


@pytest.fixture
def filled(engagement, client_key_user, csm):
    engagement.description = "Roll out the warehouse system to the three sites, with the scanners and the ERP link."
    engagement.save()
    _fill(engagement, client_key_user, times=2)
    # Names a reader of the README's screenshots understands.
    names = {
        ChecklistItem: ["Send the list of warehouse users", "Approve the scanner layout", "Book the training room"],
        Outcome: ["Share the ERP test credentials", "Confirm the go-live weekend"],
        RedFlag: ["Scanners drop the connection", "Label printer output is cut off"],
    }
    for model, titles in names.items():
        field = "text" if model is Outcome else "title"
        rows = (
            model.objects.filter(stage__engagement=engagement, status=ItemStatus.OPEN)
            if model is ChecklistItem
            else model.objects.filter(engagement=engagement)
        )
        for row, title in zip(rows.order_by("pk"), titles, strict=False):
            setattr(row, field, title)
            row.save(update_fields=[field])
    return engagement


def test_the_key_user_walks_every_portal_page_on_a_desktop(page, live_server, filled, client_key_user, csm):
    page.set_viewport_size(DESKTOP)
    sign_in(page.context, live_server, client_key_user)
    page.goto(live_server.url + reverse("portal:home"))
    assert _sections(page) == ["Home", "Project", "Onboarding", "Governance", "Escalations"][: len(_sections(page))]
    for section in ("Project", "Onboarding", "Governance", "Escalations", "Home"):
        page.get_by_role("navigation", name="Main navigation").get_by_role("link", name=section, exact=True).click()
        current = page.locator('#nav-main .nav-link[aria-current="page"]')
        expect(current).to_have_text(section)
    assert walk_portal(page, live_server.url, filled.pk) == []


def test_the_key_user_walks_every_portal_page_on_a_phone(page, live_server, filled, client_key_user):
    page.set_viewport_size(PHONE)
    sign_in(page.context, live_server, client_key_user)
    page.goto(live_server.url + reverse("portal:home"))
    # The menu is collapsed on a phone; every section is reachable through the toggler.
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Governance", exact=True)).to_be_hidden()
    nav.get_by_role("button", name="Toggle navigation").click()
    nav.get_by_role("link", name="Governance", exact=True).click()
    expect(page).to_have_url(live_server.url + reverse("portal:meetings"))
    assert walk_portal(page, live_server.url, filled.pk, phone=True) == []


def test_staff_preview_the_portal_read_only(page, live_server, filled, pm):
    page.set_viewport_size(DESKTOP)
    sign_in(page.context, live_server, pm)
    page.goto(live_server.url + reverse("portfolio:engagement", args=[filled.pk]))
    page.get_by_test_id("preview-as-client").click()
    banner = page.get_by_test_id("preview-banner")
    expect(banner).to_contain_text(f"Preview as {filled.client.name}")
    expect(page.get_by_test_id("vendor-team")).to_contain_text(pm.full_name)
    page.goto(live_server.url + reverse("portal:flag_raise"))
    expect(page.get_by_label("Title")).to_be_disabled()
    assert walk_portal(page, live_server.url, filled.pk, key_user=False) == []
    page.get_by_test_id("preview-exit").click()
    expect(page).to_have_url(live_server.url + reverse("portfolio:engagement", args=[filled.pk]))


@pytest.fixture
def demo(uploads):
    """``seed_demo``'s world. A transactional test's flush removed the cadences migration 0002 ships: made again
    first, as after ``migrate``."""
    default_cadences()
    return seed_all()


def test_the_readme_screenshots_show_the_demo(page, live_server, demo):
    people = demo["people"]
    warehouse = Engagement.objects.get(name="Warehouse platform rollout")

    # The staff side, as the demo's CSM: the dashboard and one engagement under way.
    page.set_viewport_size(DESKTOP)
    sign_in(page.context, live_server, people["csm.anna@northwind.example"])
    page.goto(live_server.url + reverse("home"))
    expect(page.get_by_test_id(f"engagement-row-{warehouse.pk}")).to_be_visible()
    _shot(page, "staff-dashboard")
    page.goto(live_server.url + reverse("portfolio:engagement", args=[warehouse.pk]))
    expect(page.get_by_role("heading", name=warehouse.name)).to_be_visible()
    _shot(page, "engagement-page")

    # The client portal: Acme's key user on a desktop; the Polish client's key user on a phone, in Polish.
    sign_in(page.context, live_server, people["keyuser@acme.example"])
    page.goto(live_server.url + reverse("portal:home"))
    expect(page.get_by_test_id(f"project-{warehouse.pk}")).to_be_visible()
    _shot(page, "portal-desktop")
    page.set_viewport_size(PHONE)
    sign_in(page.context, live_server, people["keyuser@baltyk.example"])
    page.goto(live_server.url + reverse("portal:home"))
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.get_by_text("Wdrożenie obsługi systemu awarii").first).to_be_visible()
    # Realistic Polish is longer than the factories' English: the health sentence once ran off the screen here.
    assert page.evaluate(SIDEWAYS) == []
    assert axe_violations(page) == []
    _shot(page, "portal-phone")
    # Every portal page of the demo's Polish client, on the phone: fuller and longer content than the factories'.
    baltyk = Engagement.objects.get(name="Wdrożenie obsługi systemu awarii")
    assert walk_portal(page, live_server.url, baltyk.pk, phone=True) == []
    # The pages their own apps list, a report and a document included.
    report = QualityReport.objects.visible_to(people["keyuser@baltyk.example"]).first()
    document = Document.objects.filter(engagement=baltyk).first()
    for url in (
        reverse("portal:quality_reports"),
        reverse("portal:quality_report", args=[report.pk]),
        reverse("portal:documents"),
        reverse("portal:document", args=[document.pk]),
        reverse("portal:contract"),
    ):
        assert page.goto(live_server.url + url).status == 200
        assert (url, axe_violations(page), page.evaluate(SIDEWAYS)) == (url, [], [])

    # The PM previews Acme's portal.
    page.set_viewport_size(DESKTOP)
    sign_in(page.context, live_server, people["pm.petra@northwind.example"])
    page.goto(live_server.url + reverse("portfolio:engagement", args=[warehouse.pk]))
    page.get_by_test_id("preview-as-client").click()
    expect(page.get_by_test_id("preview-banner")).to_contain_text("Preview as Acme Logistics")
    _shot(page, "portal-preview")
