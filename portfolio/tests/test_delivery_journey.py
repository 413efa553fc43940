"""In a real browser (issue 11): the PM publishes a quality report and delivers a document version from the
engagement page; the key user, on a phone-sized screen, reads the report, downloads the version and acknowledges
its receipt; the PM sees the acknowledgement. Each page is checked with axe."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from documents.models import DocumentAcknowledgement
from quality.models import QualityReport
from tests.browser.helpers import axe_violations, log_in_as, log_out, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def clean(page):
    violations = axe_violations(page)
    assert violations == [], violations


def test_the_pm_delivers_and_the_key_user_reads_downloads_and_acknowledges(
    page, live_server, pm, client_key_user, engagement, uploads, tmp_path
):
    today = timezone.localdate()
    report_file = tmp_path / "test-report.txt"
    report_file.write_text("1,204 tests, 1,131 passed.\n")
    manual = tmp_path / "user-manual.txt"
    manual.write_text("How the warehouse team picks an order.\n")

    # 1. The PM writes a quality report from the engagement page, then publishes it.
    log_in_as(page, live_server, pm)
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    page.get_by_test_id("quality-link").click()
    expect(page.get_by_role("heading", name="Quality reports", exact=True)).to_be_visible()
    clean(page)
    form = page.get_by_test_id("report-form")
    form.get_by_label("Period from").fill((today - timedelta(days=13)).isoformat())
    form.get_by_label("Period to").fill(today.isoformat())
    form.get_by_label("Test pass rate (%)").fill("93.9")
    form.get_by_label("Open critical defects").fill("1")
    form.get_by_label("Open high defects").fill("4")
    form.get_by_label("Comment").fill("The invoice export still fails on credit notes.")
    form.get_by_label("Attachment").set_input_files(str(report_file))
    form.get_by_role("button", name="Save draft").click()
    expect(page.get_by_test_id("report-status")).to_contain_text("draft")
    clean(page)
    page.get_by_test_id("publish-report").click()
    expect(page.get_by_test_id("report-status")).to_contain_text("published")
    assert QualityReport.objects.get().is_published

    # 2. The PM adds the user manual and delivers its first version.
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    page.get_by_test_id("documents-link").click()
    page.get_by_label("Title").fill("User manual")
    page.get_by_label("Kind").select_option("user_manual")
    page.get_by_role("button", name="Add document").click()
    versions = page.get_by_test_id("version-form")
    versions.get_by_label("Version").fill("1.0")
    versions.get_by_label("File").set_input_files(str(manual))
    versions.get_by_role("button", name="Upload as draft").click()
    page.get_by_test_id("publish-1.0").click()
    expect(page.get_by_test_id("version-1.0")).to_contain_text("waiting for Kasia Key")
    clean(page)
    screenshot(page, "documents-staff-waiting")
    log_out(page)

    # 3. The key user, on a phone, reads the report, downloads the version and acknowledges it.
    log_in_as(page, live_server, client_key_user)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/portal/quality/")
    expect(page.get_by_test_id("pass-rate-trend")).to_be_visible()
    clean(page)
    screenshot(page, "quality-reports-phone")
    page.get_by_test_id("portal-reports").get_by_role("link").first.click()
    expect(page.get_by_test_id("pass-rate")).to_contain_text("93.9")
    expect(page.get_by_text("The invoice export still fails on credit notes.")).to_be_visible()
    with page.expect_download() as report_download:
        page.get_by_test_id("report-attachment").click()
    assert report_download.value.suggested_filename == "test-report.txt"
    clean(page)
    screenshot(page, "quality-report-phone")
    page.goto(f"{live_server.url}/portal/documents/")
    page.get_by_role("link", name="User manual", exact=True).click()
    with page.expect_download() as version_download:
        page.get_by_test_id("download-1.0").click()
    assert version_download.value.suggested_filename == "user-manual.txt"
    clean(page)
    page.get_by_test_id("acknowledge-1.0").click()
    expect(page.get_by_test_id("acknowledged-1.0")).to_contain_text("receipt acknowledged by Kasia Key")
    clean(page)
    screenshot(page, "document-acknowledged-phone")
    assert DocumentAcknowledgement.objects.filter(user=client_key_user).count() == 1
    page.set_viewport_size({"width": 1280, "height": 900})
    log_out(page)

    # 4. The PM sees who acknowledged what.
    log_in_as(page, live_server, pm)
    page.goto(f"{live_server.url}/documents/engagements/{engagement.pk}/")
    expect(page.get_by_test_id("documents")).to_contain_text("acknowledged by Kasia Key")
    clean(page)
