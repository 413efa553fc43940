"""seed_demo's quality reports and delivered documents (issue 11): published reports and a draft, documents with two
versions of which one is acknowledged; a second run adds nothing."""

import pytest
from django.core.management import call_command

from documents.models import Document, DocumentAcknowledgement, DocumentVersion
from quality.models import QualityReport, ReportStatus

pytestmark = pytest.mark.django_db


def _counts():
    return (QualityReport.objects.count(), DocumentVersion.objects.count(), DocumentAcknowledgement.objects.count())


def test_seed_demo_delivers_reports_and_documents_once(uploads):
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert QualityReport.objects.filter(status=ReportStatus.PUBLISHED).count() >= 3
    assert QualityReport.objects.filter(status=ReportStatus.DRAFT).exists()
    manual = Document.objects.filter(kind="user_manual").first()
    assert manual.versions.count() == 2
    assert DocumentAcknowledgement.objects.filter(version__document=manual).count() == 1
