"""A client's data export: what it holds (and never holds), who may ask for and download it, and how it survives
a lost kick, a dead worker, a failure and time."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from documents.tests.factories import DocumentVersionFactory
from engagements.tests.factories import ClientProfileFactory, EngagementFactory, StakeholderFactory
from escalations.tests.factories import RedFlagFactory
from webhooks.tests.factories import EndpointFactory

from .. import services
from ..models import ClientDataExport, ExportStatus
from ..sections import LEFT_OUT, PROJECT_APPS, SECTIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(client_org, csm):
    return ClientProfileFactory(organization=client_org, csm=csm)


@pytest.fixture
def rich_client(profile, engagement, client_key_user, other_engagement):
    """Acme with an item, a stakeholder, a red flag, a delivered document and a webhook endpoint; Globex with its
    own, which must not appear in Acme's archive."""
    stage = ChecklistStageFactory(engagement=engagement)
    ChecklistItemFactory(stage=stage, title="Acme VPN access")
    StakeholderFactory(engagement=engagement, name="Ola Key")
    RedFlagFactory(engagement=engagement, title="Acme outage")
    DocumentVersionFactory(document__engagement=engagement, published=True)
    EndpointFactory(organization=engagement.client)
    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=other_engagement), title="Globex secret plan")
    return engagement


def _archive(export) -> zipfile.ZipFile:
    export.refresh_from_db()
    with export.file.open("rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))


def _json(archive, name):
    return json.loads(archive.read(f"data/{name}.json"))


def test_every_model_of_the_project_is_exported_or_left_out_with_a_reason():
    exported = {section.model for section in SECTIONS}
    # The audit trail's event models (pghistory) are exported as data/audit_trail.*, by engagement.
    models = {
        model._meta.label
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
        if not hasattr(model, "pgh_tracked_model")
    }
    assert models - exported - set(LEFT_OUT) == set()
    assert exported & set(LEFT_OUT) == set()
    assert len({section.name for section in SECTIONS}) == len(SECTIONS)


def test_the_archive_holds_the_clients_data_its_files_and_a_manifest_and_nothing_of_another(rich_client, csm):
    export = services.export_request(by=csm, organization=rich_client.client)
    built = services.export_build()
    assert built.pk == export.pk and built.status == ExportStatus.READY and built.progress == 100
    archive = _archive(export)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["organization"]["name"] == "Acme Logistics"
    counts = {section["name"]: section["rows"] for section in manifest["sections"]}
    assert counts["engagements"] == 1 and counts["checklist_items"] == 1 and counts["red_flags"] == 1
    assert counts["stakeholders"] == 1 and counts["document_versions"] == 1
    # Each file's digest in the manifest is the digest of the member.
    for section in manifest["sections"]:
        for path, facts in section["files"].items():
            assert len(archive.read(path)) == facts["bytes"]
    [item] = _json(archive, "checklist_items")
    assert item["title"] == "Acme VPN access"
    assert "Globex secret plan" not in archive.read("data/checklist_items.csv").decode("utf-8-sig")
    # The audit trail (PostgreSQL triggers) came along: the item's creation is in it.
    trail = json.loads(archive.read("data/audit_trail.json"))
    assert any(entry["summary"] == "Acme VPN access" for entry in trail)
    assert "Globex secret plan" not in archive.read("data/audit_trail.csv").decode("utf-8-sig")
    # The delivered document's bytes are in files/, as the manifest says.
    [document_file] = manifest["files"]
    assert archive.read(document_file["path"]) == b"The manual.\n"
    # CSV and JSON have the same rows.
    rows = list(csv.DictReader(io.StringIO(archive.read("data/red_flags.csv").decode("utf-8-sig"))))
    assert [row["title"] for row in rows] == ["Acme outage"]


def test_no_credential_or_secret_leaves_in_an_archive(rich_client, csm):
    export = services.export_request(by=csm, organization=rich_client.client)
    services.export_build()
    archive = _archive(export)
    for name in ("people", "webhook_endpoints", "invitations", "calendar_feeds"):
        for row in _json(archive, name):
            assert not {key for key in row if any(part in key for part in ("password", "secret", "nonce", "token"))}
    endpoint = rich_client.client.webhook_endpoints.get()
    assert endpoint.secret not in archive.read("data/webhook_endpoints.json").decode()


def test_who_may_ask_for_an_export(rich_client, csm, other_csm, director, vendor_admin, client_key_user):
    client = rich_client.client
    for outsider in (other_csm, director, client_key_user):
        with pytest.raises(PermissionDenied):
            services.export_request(by=outsider, organization=client)
    assert services.export_request(by=vendor_admin, organization=client).requested_by == vendor_admin


def test_a_second_request_while_one_is_prepared_gets_that_one(rich_client, csm, vendor_admin):
    first = services.export_request(by=csm, organization=rich_client.client)
    assert services.export_request(by=vendor_admin, organization=rich_client.client) == first
    assert ClientDataExport.objects.count() == 1
    services.export_build()
    assert services.export_request(by=csm, organization=rich_client.client) != first


def test_a_lost_kick_and_a_dead_worker_are_built_by_the_tick(rich_client, csm):
    export = services.export_request(by=csm, organization=rich_client.client)
    # A worker took it and died: the row is RUNNING with a lease that has not ended yet, then has.
    ClientDataExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, lease_until=timezone.now() + timedelta(minutes=5), attempts=1
    )
    assert services.exports_build_due() == 0
    assert services.exports_build_due(now=timezone.now() + timedelta(minutes=6)) == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.READY and export.attempts == 2


def test_a_build_that_keeps_failing_is_marked_failed_and_keeps_nothing(rich_client, csm, monkeypatch):
    export = services.export_request(by=csm, organization=rich_client.client)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services, "write_archive", broken)
    for _attempt in range(services.MAX_ATTEMPTS):
        assert services.export_build() is None
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and "disk full" in export.error and not export.file
    # A failed export frees the slot: a new one may be asked for.
    assert services.export_request(by=csm, organization=rich_client.client) != export


def test_an_expired_archive_is_removed_and_the_record_stays(rich_client, csm):
    export = services.export_request(by=csm, organization=rich_client.client)
    services.export_build()
    export.refresh_from_db()
    stored = export.file.name
    assert export.file.storage.exists(stored)
    assert services.exports_expire(now=export.expires_at - timedelta(seconds=1)) == 0
    assert services.exports_expire(now=export.expires_at) == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED and not export.file
    assert not export.file.storage.exists(stored)


def test_the_page_and_the_download_answer_only_those_who_may_export(
    client, rich_client, csm, other_csm, director, client_key_user
):
    organization = rich_client.client
    page = reverse("client_data:exports", kwargs={"organization_id": organization.pk})
    for outsider in (other_csm, director, client_key_user):
        client.force_login(outsider)
        assert client.get(page).status_code == 404
        assert client.post(page).status_code == 404
    assert not ClientDataExport.objects.exists()

    client.force_login(csm)
    response = client.post(page, follow=True)
    assert "being prepared" in response.content.decode()
    export = ClientDataExport.objects.get()
    services.export_build()
    download = reverse("client_data:download", kwargs={"pk": export.pk})
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("manifest.json")

    client.force_login(other_csm)
    assert client.get(download).status_code == 404


def test_an_expired_download_says_so(client, rich_client, csm):
    export = services.export_request(by=csm, organization=rich_client.client)
    services.export_build()
    ClientDataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(csm)
    response = client.get(reverse("client_data:download", kwargs={"pk": export.pk}), follow=True)
    assert "no longer available" in response.content.decode()


def test_the_client_page_offers_the_export_to_its_csm_only(client, rich_client, profile, csm, director):
    client.force_login(csm)
    url = reverse("engagements:client_detail", kwargs={"pk": profile.pk})
    export_url = reverse("client_data:exports", kwargs={"organization_id": rich_client.client_id})
    assert export_url in client.get(url).content.decode()
    client.force_login(director)
    assert export_url not in client.get(url).content.decode()


def test_building_reads_a_fixed_number_of_queries_however_large_the_client(profile, engagement, csm):
    def build_and_count():
        export = services.export_request(by=csm, organization=engagement.client)
        with CaptureQueriesContext(connection) as queries:
            services.export_build()
        ClientDataExport.objects.filter(pk=export.pk).update(status=ExportStatus.EXPIRED)
        return len(queries)

    stage = ChecklistStageFactory(engagement=engagement)
    ChecklistItemFactory(stage=stage)
    small = build_and_count()
    # More rows of every kind, in the client's engagement and in more engagements of the client: the same statements
    # read them (the audit trail of all its engagements included).
    for _n in range(3):
        ChecklistItemFactory.create_batch(5, stage=ChecklistStageFactory(engagement=engagement))
        RedFlagFactory(engagement=engagement)
        more = EngagementFactory(client=engagement.client)
        ChecklistItemFactory.create_batch(5, stage=ChecklistStageFactory(engagement=more))
        RedFlagFactory(engagement=more)
    assert build_and_count() == small
