"""In a real browser, as each role, the rules issue "trust first" closed: an internal note's file stays with the
team; a client's key user marks a complaint a duplicate after seeing what it does, and can undo it; a key user who
re-invites an address the CSM invited is told who did; an executive reads an engagement without its team's
controls. Every page is checked with axe-core and photographed."""

import pytest
from playwright.sync_api import expect

from accounts import services as account_services
from accounts.models import Role
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements.tests.factories import ClientProfileFactory
from escalations.models import FlagStatus, RedFlag, Severity
from escalations.tests.factories import raise_flag
from tests.browser.helpers import axe_violations, log_in_as, log_out, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checked(page, name):
    screenshot(page, name)
    assert axe_violations(page) == [], name


def test_an_internal_notes_file_stays_with_the_team(
    page, live_server, uploads, tmp_path, pm, client_key_user, engagement
):
    flag = raise_flag(engagement, client_key_user, title="Invoices are printed twice")
    log_in_as(page, live_server, pm)
    page.goto(f"{live_server.url}/escalations/flags/{flag.pk}/")
    form = page.get_by_test_id("update-form")
    form.get_by_label("Update").fill("The printer queue is shared with another client; see the log.")
    form.get_by_label("Internal note (the client does not see it)").check()
    log = tmp_path / "printer-queue-other-client.txt"
    log.write_text("job 4411 other client\n")
    form.get_by_label("Attachments (optional)").set_input_files(str(log))
    form.get_by_role("button", name="Post").click()
    expect(page.get_by_role("link", name="printer-queue-other-client.txt")).to_be_visible()
    checked(page, "trust-staff-flag-internal-file")
    log_out(page)

    log_in_as(page, live_server, client_key_user)
    page.goto(f"{live_server.url}/portal/flags/{flag.pk}/")
    expect(page.get_by_role("heading", name="Invoices are printed twice")).to_be_visible()
    assert "printer-queue-other-client" not in page.content()
    assert "The printer queue is shared" not in page.content()
    checked(page, "trust-portal-flag-without-internal-file")


def test_a_key_user_marks_a_critical_report_a_duplicate_of_a_high_one_and_undoes_it(
    page, live_server, client_key_user, engagement
):
    kept = raise_flag(engagement, client_key_user, title="Orders are not arriving", severity=Severity.HIGH)
    report = raise_flag(engagement, client_key_user, title="Web shop orders missing", severity=Severity.CRITICAL)
    log_in_as(page, live_server, client_key_user)
    page.goto(f"{live_server.url}/portal/flags/{report.pk}/")
    page.get_by_label("Mark this report a duplicate of").select_option(label="Orders are not arriving")
    page.get_by_role("button", name="See what it does").click()
    consequence = page.get_by_test_id("duplicate-consequence")
    expect(consequence.get_by_test_id("severity-raised")).to_contain_text("Critical instead of High")
    checked(page, "trust-portal-duplicate-consequence")
    page.get_by_test_id("confirm-duplicate").click()
    expect(page.get_by_test_id("duplicate-box")).to_contain_text("Orders are not arriving")
    kept.refresh_from_db()
    assert kept.severity == Severity.CRITICAL
    checked(page, "trust-portal-duplicate-marked")

    page.get_by_test_id("unmark-duplicate").click()
    expect(page.get_by_text("This report is a red flag of its own again")).to_be_visible()
    report.refresh_from_db()
    kept.refresh_from_db()
    assert (report.status, kept.severity) == (FlagStatus.OPEN, Severity.HIGH)
    assert RedFlag.objects.filter(duplicate_of__isnull=False).count() == 0
    checked(page, "trust-portal-duplicate-undone")


def test_a_key_user_reinviting_the_csms_invitee_is_told_who_invited_them(
    page, live_server, client_key_user, csm, engagement
):
    ClientProfileFactory(organization=engagement.client, csm=csm)
    account_services.invitation_create(
        by=csm, organization=engagement.client, email="kasia@acme.example", full_name="Kasia", role=Role.CLIENT_KEY_USER
    )
    log_in_as(page, live_server, client_key_user)
    page.goto(f"{live_server.url}/portal/people/")
    page.get_by_label("Full name").fill("Kasia")
    page.get_by_label("Email address").fill("kasia@acme.example")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(csm.full_name).first).to_be_visible()
    checked(page, "trust-portal-reinvite-refused")


def test_an_executive_reads_an_engagement_without_the_teams_controls(page, live_server, executive, engagement):
    stage = ChecklistStageFactory(engagement=engagement, title="Work environments")
    item = ChecklistItemFactory(stage=stage, title="Set up the test environment")
    log_in_as(page, live_server, executive)
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    expect(page.get_by_test_id(f"item-{item.pk}")).to_contain_text("Set up the test environment")
    expect(page.get_by_test_id(f"tick-{item.pk}")).to_have_count(0)
    expect(page.get_by_text("Track a promise")).to_have_count(0)
    checked(page, "trust-executive-engagement")
