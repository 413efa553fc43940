import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from attachments.models import Attachment
from attachments.services import attachment_response, attachment_store, upload_validate

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }


def test_a_pdf_is_stored_under_a_server_made_path(csm):
    attachment = attachment_store(uploaded_file=SimpleUploadedFile("../../etc/Plan v2.pdf", PDF), by=csm)
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "Plan v2.pdf"
    assert attachment.file.name.endswith(attachment.pk.hex)
    assert ".." not in attachment.file.name and "Plan" not in attachment.file.name
    assert len(attachment.sha256) == 64


def test_the_type_comes_from_the_bytes_not_the_name_or_header(csm):
    fake = SimpleUploadedFile("report.pdf", PNG, content_type="application/pdf")
    with pytest.raises(ValidationError, match="does not match"):
        attachment_store(uploaded_file=fake, by=csm)
    assert not Attachment.objects.exists()


def test_executables_and_html_are_refused(csm):
    for name, data in [("tool.exe", b"MZ\x90\x00" + b"\x00" * 60), ("page.html", b"<html><script>x</script>")]:
        with pytest.raises(ValidationError, match="not accepted"):
            upload_validate(SimpleUploadedFile(name, data))


def test_text_files_must_really_be_text(csm):
    assert upload_validate(SimpleUploadedFile("notes.txt", "Zażółć gęślą jaźń".encode())) == "text/plain"
    with pytest.raises(ValidationError):
        upload_validate(SimpleUploadedFile("notes.txt", b"\x00\x01binary"))


def test_the_size_limit_is_enforced(settings, csm):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="too large"):
        upload_validate(SimpleUploadedFile("big.pdf", PDF + b"0" * 2048))
    with pytest.raises(ValidationError, match="empty"):
        upload_validate(SimpleUploadedFile("empty.pdf", b""))


def test_downloads_are_attachments_never_inline(csm):
    attachment = attachment_store(uploaded_file=SimpleUploadedFile("diagram.png", PNG), by=csm)
    response = attachment_response(attachment)
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="diagram.png"' in response["Content-Disposition"]
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG
