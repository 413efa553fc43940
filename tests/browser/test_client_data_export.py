"""In a real browser, a CSM takes a client's data out: from the client's page, an export is asked for, its progress
shows while a worker builds it, and the archive downloads with its manifest. Desktop and phone width, with axe."""

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from client_data import services
from client_data.models import ClientDataExport
from engagements.tests.factories import ClientProfileFactory
from tests.browser.helpers import axe_violations, log_in_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_a_csm_exports_a_clients_data_and_downloads_the_archive(page, live_server, csm, engagement, width):
    profile = ClientProfileFactory(organization=engagement.client, csm=csm)
    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), title="VPN access for the test team")
    log_in_as(page, live_server, csm)
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"{live_server.url}/engagements/clients/{profile.pk}/")
    page.get_by_role("link", name="Export data").click()
    expect(page.get_by_role("heading", name="Export the client's data")).to_be_visible()
    expect(page.get_by_text("No exports yet.")).to_be_visible()
    page.get_by_role("button", name="Prepare an export").click()
    expect(page.get_by_text("The export is being prepared.")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Export progress")).to_be_visible()
    expect(page.get_by_role("button", name="Prepare an export")).to_be_disabled()
    screenshot(page, f"client-export-preparing-{width}")
    assert axe_violations(page) == []

    # The worker's turn (a Celery task in production); the page, polling, shows the archive when it is ready.
    assert services.exports_build_due() == 1
    download_link = page.get_by_test_id("export-download")
    expect(download_link).to_be_visible(timeout=10_000)
    expect(page.get_by_text("Ready to download")).to_be_visible()
    expect(page.get_by_role("button", name="Prepare an export")).to_be_enabled()
    screenshot(page, f"client-export-ready-{width}")
    assert axe_violations(page) == []

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename.startswith("acme-data-") and download.suggested_filename.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read()))  # noqa: SIM115
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["organization"]["name"] == engagement.client.name
    items = json.loads(archive.read("data/checklist_items.json"))
    assert [item["title"] for item in items] == ["VPN access for the test team"]
    export = ClientDataExport.objects.get()
    assert export.requested_by == csm
