"""The pages the last polish changed, walked in Polish as a client key user and as the CSM, on a desktop and on a
phone: axe-core finds no serious or critical violation, nothing scrolls sideways at 390 px, and a screenshot of each
is written (var/screenshots/pl-polish-*). What each change shows is checked on the way: the translated file picker
and its status, one breadcrumb, a link's audience changed on the engagement page, the planned budget."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.translation import gettext, ngettext, override
from playwright.sync_api import expect

from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from documents.tests.factories import DocumentFactory
from engagements.tests.factories import ClientProfileFactory, ResourceLinkFactory
from escalations.tests.factories import RedFlagFactory
from tests.browser.helpers import SCREENSHOTS, axe_violations, screenshot
from tests.browser.test_phone_width import SIDEWAYS
from tests.browser.test_portal_walk import DESKTOP, PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pl(text: str) -> str:
    with override("pl"):
        return gettext(text)


def _looked_at(page, name: str, *, phone: bool) -> list[str]:
    page.wait_for_load_state("networkidle")
    problems = [f"{name}: {violation}" for violation in axe_violations(page)]
    if phone:
        problems += [f"{name} at 390 px: {where}" for where in page.evaluate(SIDEWAYS)]
    screenshot(page, f"pl-polish-{name}-{'phone' if phone else 'desktop'}")
    return problems


@pytest.fixture
def polish_world(engagement, client_key_user, csm, uploads):
    for person in (client_key_user, csm):
        person.language = "pl"
        person.save(update_fields=["language"])
    engagement.planned_amount = Decimal("48000")
    engagement.currency = "PLN"
    engagement.save()
    ClientProfileFactory(organization=engagement.client, csm=csm, contract_term_months=24)
    stage = ChecklistStageFactory(engagement=engagement)
    task = ChecklistItemFactory(stage=stage, client_side=True, evidence_required="file", title="Podpisz RACI")
    link = ResourceLinkFactory(engagement=engagement, title="Tablica Jira", client_visible=False)
    flag = RedFlagFactory(engagement=engagement, title="Zamówienia nie docierają")
    document = DocumentFactory(engagement=engagement)
    return {"task": task, "link": link, "flag": flag, "document": document, "files": uploads}


def _walk(page, live_server, who: str, pages: dict, checks: dict) -> list[str]:
    """Each page on a desktop, then on a phone: one breadcrumb, the page's own check, axe, sideways scrolling."""
    problems = []
    for phone in (False, True):
        page.set_viewport_size(PHONE if phone else DESKTOP)
        for name, url in pages.items():
            page.goto(live_server.url + url)
            expect(page.locator("ol.breadcrumb")).to_have_count(1)
            if name in checks:
                checks[name](phone)
            problems += _looked_at(page, f"{who}-{name}", phone=phone)
    return problems


def test_the_changed_pages_in_polish(page, live_server, engagement, client_key_user, csm, polish_world):
    files = polish_world["files"]
    names = ["a.txt", "b.txt", "c.txt"]
    for name in names:
        (files / name).write_text(f"{name}\n")
    link = polish_world["link"]

    def choose_three_files(_phone):
        expect(page.get_by_text(pl("Choose files"), exact=True)).to_be_visible()
        page.get_by_label(pl("Attachments (optional)")).set_input_files([str(files / name) for name in names])
        with override("pl"):
            three = ngettext("%(count)s file chosen", "%(count)s files chosen", 3) % {"count": 3}
        expect(page.locator(".file-picker-status")).to_have_text(f"{three}: a.txt, b.txt, c.txt")

    def nothing_chosen_yet(_phone):
        expect(page.get_by_text(pl("Choose a file"), exact=True)).to_be_visible()
        expect(page.locator(".file-picker-status")).to_have_text(pl("No file chosen"))

    def planned_budget(_phone):
        expect(page.get_by_text(pl("Planned budget"))).to_be_visible()
        expect(page.get_by_test_id(f"planned-budget-{engagement.pk}")).to_have_text("48\xa0000,00\xa0zł")

    def toggle_the_links_audience(phone):
        before = page.get_by_test_id(f"link-audience-{link.pk}").inner_text()
        page.get_by_test_id(f"link-audience-form-{link.pk}").get_by_role("button").click()
        expect(page.get_by_test_id(f"link-audience-{link.pk}")).not_to_have_text(before)
        page.locator("#links").screenshot(path=str(SCREENSHOTS / f"pl-polish-staff-links-{int(phone)}.png"))

    sign_in(page.context, live_server, client_key_user)
    client_pages = {
        "raise": reverse("portal:flag_raise"),
        "flag": reverse("portal:flag", args=[polish_world["flag"].pk]),
        "task": reverse("portal:item", args=[polish_world["task"].pk]),
        "contract": reverse("portal:contract"),
    }
    checks = {"raise": choose_three_files, "task": nothing_chosen_yet, "contract": planned_budget}
    problems = _walk(page, live_server, "client", client_pages, checks)

    sign_in(page.context, live_server, csm)
    staff_pages = {
        "engagement": reverse("portfolio:engagement", args=[engagement.pk]),
        "flag": reverse("escalations:flag", args=[polish_world["flag"].pk]),
        "item": reverse("checklists:item", args=[polish_world["task"].pk]),
        "reports": reverse("quality:engagement_reports", args=[engagement.pk]),
        "document": reverse("documents:document", args=[polish_world["document"].pk]),
    }
    problems += _walk(page, live_server, "staff", staff_pages, {"engagement": toggle_the_links_audience})
    link.refresh_from_db()
    assert link.client_visible is False  # shown on the desktop walk, hidden again on the phone's
    assert problems == []
