"""In a real browser (issue 23): a PM's red-flag list puts the nearest deadline first and marks breaches and
warnings; the engagement's health links to its red flags, which name the gravest ("1 critical red flag at the
executive board"); "Move to live" is no call to action while the gate is unmet and says what is missing; the
admin index lists configuration first. Desktop and a 390 px phone, each page checked with axe."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements.models import Phase
from engagements.tests.factories import StakeholderFactory
from escalations.models import Severity
from escalations.tests.factories import RedFlagFactory
from tests.browser.helpers import axe_violations, log_in_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_a_pm_finds_what_breaches_next_and_what_keeps_the_go_live(
    page, live_server, pm, engagement, client_key_user, width
):
    now = timezone.now()
    engagement.phase = Phase.ONBOARDING
    engagement.save()
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user)
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title="Scope")
    ChecklistItemFactory(stage=stage)
    RedFlagFactory(
        engagement=engagement,
        title="Board-level outage",
        severity=Severity.CRITICAL,
        level=4,
        ack_due_at=now + timedelta(hours=5),
    )
    RedFlagFactory(
        engagement=engagement,
        title="Late invoice export",
        severity=Severity.NORMAL,
        resolve_due_at=now - timedelta(hours=1),
    )
    RedFlagFactory(
        engagement=engagement,
        title="Slow search",
        severity=Severity.HIGH,
        ack_due_at=now + timedelta(minutes=30),
        ack_warn_at=now - timedelta(minutes=5),
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in_as(page, live_server, pm)
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    health = page.get_by_test_id("health-reasons")
    expect(health).to_contain_text("1 critical red flag at the executive board")
    expect(page.get_by_test_id("move-to-live-unready")).to_be_visible()
    expect(page.get_by_test_id("go-live-missing")).to_contain_text("Not ready for the go-live yet:")
    screenshot(page, f"engagement-health-and-go-live-{width}")
    assert axe_violations(page) == []

    health.get_by_test_id("health-red-flags").first.click()
    rows = page.get_by_test_id("flag-table").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Late invoice export")
    expect(rows.nth(0)).to_contain_text("breached")
    expect(rows.nth(1)).to_contain_text("Slow search")
    expect(rows.nth(1)).to_contain_text("due soon")
    expect(rows.nth(2)).to_contain_text("Board-level outage")
    screenshot(page, f"red-flag-list-deadlines-{width}")
    assert axe_violations(page) == []


def test_the_admin_index_lists_configuration_first(page, live_server, vendor):
    admin = UserFactory(vendor_admin=True, organization=vendor, is_staff=True, is_superuser=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in_as(page, live_server, admin)
    page.goto(f"{live_server.url}/admin/")
    first = page.locator("#content-main .module").first
    expect(first).to_contain_text("Configuration")
    expect(first).to_contain_text("Checklist templates")
    expect(page.locator("#content-main .module").last).to_contain_text("Infrastructure (admins only)")
    screenshot(page, "admin-index-configuration-first")
