"""The Content-Security-Policy in a real browser: the pages, htmx, Bootstrap and the admin work under it, and
nothing on them is refused."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory, enrol_totp
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements.tests.factories import MilestoneFactory

from .helpers import log_in, log_in_with_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def refusals(page):
    """Every CSP refusal the browser reports while the test runs (console errors and violation events)."""
    seen = []
    page.on(
        "console",
        lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    return seen


def test_staff_and_portal_pages_run_under_the_policy(page, live_server, csm, client_key_user, engagement, refusals):
    stage = ChecklistStageFactory(engagement=engagement, title="Scope")
    ChecklistItemFactory(stage=stage, title="Sign the DPA")
    MilestoneFactory(engagement=engagement, title="Go-live rehearsal")
    log_in(page, live_server, csm)
    expect(page.get_by_role("heading", name="My engagements")).to_be_visible()
    for path in (
        f"/engagements/{engagement.pk}/",
        f"/engagements/{engagement.pk}/stakeholders/",
        "/notifications/",
        "/accounts/profile/",
        "/accounts/password/change/",
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")  # htmx loads the unread count after the page
    # Bootstrap's scripts run: the user menu opens.
    page.get_by_test_id("user-menu").click()
    expect(page.locator(".dropdown-menu").get_by_role("link", name="Profile and preferences")).to_be_visible()

    # A confirmation asked for by data-confirm: dismissed, nothing happens; accepted, the milestone goes.
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    remove = page.get_by_role("button", name="Remove milestone Go-live rehearsal")
    page.once("dialog", lambda dialog: dialog.dismiss())
    remove.click()
    expect(page.get_by_role("link", name="Edit milestone Go-live rehearsal")).to_be_visible()
    assert engagement.milestones.filter(title="Go-live rehearsal").exists()
    page.once("dialog", lambda dialog: dialog.accept())
    remove.click()
    expect(page.get_by_text("Milestone removed.")).to_be_visible()
    assert not engagement.milestones.filter(title="Go-live rehearsal").exists()

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, client_key_user)
    page.get_by_role("link", name=engagement.name).click()
    expect(page.get_by_role("heading", name=engagement.name)).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert refusals == []


def test_the_admin_runs_under_the_policy(page, live_server, vendor, refusals):
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    admin = UserFactory(vendor_admin=True, organization=vendor, is_staff=True, is_superuser=True)
    task = PeriodicTask.objects.create(
        name="CSP check", task="notifications.tasks.relay", crontab=CrontabSchedule.objects.create(minute="5")
    )
    from checklists.services import template_default_ensure

    template = template_default_ensure()
    # An admin must sign in with a second factor (accounts.mfa.policy).
    log_in_with_code(page, live_server, admin, enrol_totp(admin))
    for path in (
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/django_celery_beat/periodictask/",
        # django-celery-beat's form has an inline script: it runs because our copy carries the nonce.
        f"/admin/django_celery_beat/periodictask/{task.pk}/change/",
        # A checklist template's stages and items on one page (django-nested-admin's scripts).
        f"/admin/checklists/checklisttemplate/{template.pk}/change/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    assert refusals == []
