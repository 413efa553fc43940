"""A client never sees, nor downloads, a file whose owner is internal to the vendor or a draft not yet delivered; the
vendor's team does. One test per owner of uploaded files, and a walk over the models so that a new owner of files
cannot appear without a test here.

The red flag's files had the hole: a file posted with an internal note was listed on the client's flag page and
downloadable from the portal. A file belongs to its timeline line and is internal when the line is."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse

from attachments.models import Attachment
from attachments.services import attachment_store
from checklists.models import ChecklistItem
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from documents.models import DocumentVersion
from documents.tests.factories import DocumentFactory, DocumentVersionFactory
from escalations import services as flag_services
from escalations.models import FlagAttachment
from escalations.tests.factories import TUESDAY_10, raise_flag
from quality.models import QualityReport
from quality.tests.factories import QualityReportFactory

pytestmark = pytest.mark.django_db

HOUR_1 = TUESDAY_10 + timedelta(hours=1)


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, f"contents of {name}\n".encode(), content_type="text/plain")


def _stored(name: str, by) -> Attachment:
    return attachment_store(uploaded_file=_upload(name), by=by)


def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _status(client, user, url) -> int:
    client.force_login(user)
    return client.get(url).status_code


# --- Red flags: a file is as internal as the timeline line it came with -------------------------------------------


@pytest.fixture
def flag_with_files(engagement, client_key_user, pm, uploads):
    flag = raise_flag(engagement, client_key_user, now=TUESDAY_10, files=[_upload("complaint-screenshot.txt")])
    flag_services.flag_post_update(
        flag=flag, by=pm, body="Our own finding", internal=True, files=[_upload("internal-root-cause.txt")], now=HOUR_1
    )
    flag_services.flag_post_update(
        flag=flag, by=pm, body="Fixed on staging", files=[_upload("client-update.txt")], now=HOUR_1
    )
    flag_services.flag_client_reply(
        flag=flag, by=client_key_user, body="Thanks", files=[_upload("client-reply.txt")], now=HOUR_1
    )

    def file(name):
        return FlagAttachment.objects.get(flag=flag, attachment__original_name=name)

    return flag, file


@pytest.mark.parametrize("persona", ["client_key_user", "client_member"])
def test_a_file_posted_with_an_internal_note_never_reaches_the_client(request, client, flag_with_files, persona):
    flag, file = flag_with_files
    user = request.getfixturevalue(persona)
    page = _page(client, user, reverse("portal:flag", args=[flag.pk]))
    assert "internal-root-cause.txt" not in page
    assert "complaint-screenshot.txt" in page and "client-update.txt" in page and "client-reply.txt" in page
    internal = file("internal-root-cause.txt")
    assert _status(client, user, reverse("portal:flag_attachment", args=[internal.pk])) == 404
    assert _status(client, user, reverse("portal:flag_attachment", args=[file("client-update.txt").pk])) == 200
    assert not FlagAttachment.objects.visible_to(user).filter(pk=internal.pk).exists()


def test_the_team_sees_and_downloads_every_file_of_the_flag(client, flag_with_files, pm):
    flag, file = flag_with_files
    page = _page(client, pm, reverse("escalations:flag", args=[flag.pk]))
    for name in ("internal-root-cause.txt", "complaint-screenshot.txt", "client-update.txt", "client-reply.txt"):
        assert name in page
        assert _status(client, pm, reverse("escalations:attachment", args=[file(name).pk])) == 200


def test_a_file_whose_timeline_line_is_unknown_stays_with_the_team(client, engagement, client_key_user, pm, uploads):
    # What the migration leaves for a file it could not match to a line: hidden from the client.
    flag = raise_flag(engagement, client_key_user, now=TUESDAY_10)
    orphan = FlagAttachment.objects.create(
        flag=flag, attachment=_stored("orphan.txt", pm), added_by=pm, added_at=HOUR_1
    )
    assert "orphan.txt" not in _page(client, client_key_user, reverse("portal:flag", args=[flag.pk]))
    assert _status(client, client_key_user, reverse("portal:flag_attachment", args=[orphan.pk])) == 404
    assert _status(client, pm, reverse("escalations:attachment", args=[orphan.pk])) == 200


# --- Checklist evidence: the client reads their own side's items only ---------------------------------------------


def test_the_evidence_of_a_vendor_side_item_stays_with_the_team(client, engagement, client_key_user, pm, uploads):
    stage = ChecklistStageFactory(engagement=engagement)
    vendor_item = ChecklistItemFactory(stage=stage, done=True, evidence_file=_stored("vendor-evidence.txt", pm))
    client_item = ChecklistItemFactory(
        stage=stage, client_side=True, done=True, evidence_file=_stored("client-evidence.txt", pm)
    )
    assert "vendor-evidence.txt" not in _page(
        client, client_key_user, reverse("portal:engagement", args=[engagement.pk])
    )
    assert "vendor-evidence.txt" not in _page(client, client_key_user, reverse("portal:tasks"))
    assert _status(client, client_key_user, reverse("portal:item_evidence", args=[vendor_item.pk])) == 404
    assert _status(client, client_key_user, reverse("checklists:item_evidence", args=[vendor_item.pk])) != 200
    assert _status(client, client_key_user, reverse("portal:item_evidence", args=[client_item.pk])) == 200
    assert _status(client, pm, reverse("checklists:item_evidence", args=[vendor_item.pk])) == 200


# --- Quality reports: a draft does not exist for the client --------------------------------------------------------


def test_a_draft_quality_reports_file_stays_with_the_team(client, engagement, client_key_user, pm, uploads):
    draft = QualityReportFactory(engagement=engagement, attachment=_stored("draft-report.txt", pm))
    published = QualityReportFactory(engagement=engagement, published=True, attachment=_stored("final-report.txt", pm))
    listing = _page(client, client_key_user, reverse("portal:quality_reports"))
    assert "draft-report.txt" not in listing
    assert _status(client, client_key_user, reverse("portal:quality_report", args=[draft.pk])) == 404
    assert _status(client, client_key_user, reverse("portal:quality_report_attachment", args=[draft.pk])) == 404
    assert _status(client, client_key_user, reverse("quality:report_attachment", args=[draft.pk])) != 200
    assert _status(client, client_key_user, reverse("portal:quality_report_attachment", args=[published.pk])) == 200
    assert _status(client, pm, reverse("quality:report_attachment", args=[draft.pk])) == 200


# --- Documents: the client sees delivered versions only -------------------------------------------------------------


def test_a_draft_document_versions_file_stays_with_the_team(client, engagement, client_key_user, pm, uploads):
    document = DocumentFactory(engagement=engagement)
    delivered = DocumentVersionFactory(
        document=document, label="1.0", published=True, attachment=_stored("manual-1.0.txt", pm)
    )
    draft = DocumentVersionFactory(document=document, label="1.1", attachment=_stored("manual-1.1-draft.txt", pm))
    unpublished = DocumentFactory(engagement=engagement)
    only_draft = DocumentVersionFactory(document=unpublished, label="0.1", attachment=_stored("spec-draft.txt", pm))
    for url in (reverse("portal:documents"), reverse("portal:document", args=[document.pk])):
        page = _page(client, client_key_user, url)
        assert "manual-1.1-draft.txt" not in page and "spec-draft.txt" not in page
    assert _status(client, client_key_user, reverse("portal:document", args=[unpublished.pk])) == 404
    for version in (draft, only_draft):
        assert _status(client, client_key_user, reverse("portal:document_download", args=[version.pk])) == 404
        assert _status(client, client_key_user, reverse("documents:version_download", args=[version.pk])) != 200
        assert _status(client, pm, reverse("documents:version_download", args=[version.pk])) == 200
    assert _status(client, client_key_user, reverse("portal:document_download", args=[delivered.pk])) == 200


# --- Every owner of files is covered above ------------------------------------------------------------------------

# The models that hold an uploaded file, each with the test above that keeps its internal or draft files from the
# client. Governance (agendas, minutes, outcomes) holds no uploaded file.
FILE_OWNERS = {
    FlagAttachment: test_a_file_posted_with_an_internal_note_never_reaches_the_client,
    ChecklistItem: test_the_evidence_of_a_vendor_side_item_stays_with_the_team,
    QualityReport: test_a_draft_quality_reports_file_stays_with_the_team,
    DocumentVersion: test_a_draft_document_versions_file_stays_with_the_team,
}


def test_every_model_holding_an_uploaded_file_has_its_test():
    # The audit trail's event rows (pghistory) copy the id of the file, never serve it: they are not owners.
    owners = {
        model
        for model in apps.get_models()
        if not hasattr(model, "pgh_tracked_model")
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is Attachment
    }
    assert owners == set(FILE_OWNERS), "A new owner of uploaded files needs a test here that its files stay internal"
    # Files come in through attachments only: no other model keeps a file of its own, except the archives the server
    # writes itself (a client's data export, served by its access-checked download and removed when it expires).
    from client_data.models import ClientDataExport

    assert [
        model
        for model in apps.get_models()
        if model not in (Attachment, ClientDataExport)
        and any(isinstance(field, models.FileField) for field in model._meta.get_fields())
    ] == []


def test_the_migration_gives_each_existing_file_the_line_it_came_with(engagement, client_key_user, pm, uploads):
    import importlib

    migration = importlib.import_module("escalations.migrations.0007_flag_attachment_event")
    flag = raise_flag(engagement, client_key_user, now=TUESDAY_10, files=[_upload("raised.txt")])
    flag_services.flag_post_update(
        flag=flag, by=pm, body="Ours", internal=True, files=[_upload("note.txt")], now=HOUR_1
    )
    FlagAttachment.objects.update(event=None)  # as the rows were before the migration
    stray = FlagAttachment.objects.create(
        flag=flag, attachment=_stored("stray.txt", pm), added_by=pm, added_at=HOUR_1 + timedelta(minutes=5)
    )
    migration.link_files_to_their_lines(apps, None)
    lines = dict(FlagAttachment.objects.values_list("attachment__original_name", "event__kind"))
    assert lines == {"raised.txt": "raised", "note.txt": "note", "stray.txt": None}
    assert not FlagAttachment.objects.visible_to(client_key_user).filter(pk=stray.pk).exists()
