"""The one way files come in and go out.

In: size limit, the content type decided from the bytes (never from the name or the browser's
header) against an allow-list, a file name that must agree with those bytes, and a storage path
the server makes up. Out: only as a download (``Content-Disposition: attachment``) from a view
that has already fetched the owning object through ``visible_to``.
"""

import hashlib
import os
import unicodedata

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from .models import Attachment

# Detected MIME type -> file name extensions that may carry it.
ALLOWED_TYPES = {
    "application/pdf": {".pdf"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/gif": {".gif"},
    "image/webp": {".webp"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {".xlsx"},
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": {".pptx"},
    "application/vnd.oasis.opendocument.text": {".odt"},
    "application/vnd.oasis.opendocument.spreadsheet": {".ods"},
    "application/zip": {".zip"},
    "text/plain": {".txt", ".md", ".log"},
    "text/csv": {".csv"},
}
TEXT_EXTENSIONS = {".txt": "text/plain", ".md": "text/plain", ".log": "text/plain", ".csv": "text/csv"}
SNIFF_BYTES = 8192


def _clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", os.path.basename(name or "")).strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '\\/:*?"<>|')
    return name[:200] or "file"


def _detect_type(head: bytes, extension: str) -> str | None:
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    # Plain text has no magic number: accept it only when the bytes really are text.
    if extension in TEXT_EXTENSIONS and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the sniff boundary is still text.
            if error.start < len(head) - 4:
                return None
        return TEXT_EXTENSIONS[extension]
    return None


def upload_validate(uploaded_file) -> str:
    """Return the content type of an acceptable upload, or raise ValidationError."""
    if uploaded_file.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {
                "size": round(uploaded_file.size / 1024 / 1024, 1),
                "limit": round(settings.UPLOAD_MAX_BYTES / 1024 / 1024, 1),
            },
            code="too_large",
        )
    if uploaded_file.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    name = _clean_name(uploaded_file.name)
    extension = os.path.splitext(name)[1].lower()
    uploaded_file.seek(0)
    head = uploaded_file.read(SNIFF_BYTES)
    uploaded_file.seek(0)
    content_type = _detect_type(head, extension)
    if content_type not in ALLOWED_TYPES:
        raise ValidationError(
            _("This type of file is not accepted. Upload a PDF, an image, an office document, a ZIP or a text file."),
            code="type",
        )
    if extension not in ALLOWED_TYPES[content_type]:
        raise ValidationError(
            _("The file's name (%(ext)s) does not match its content (%(type)s).")
            % {"ext": extension or _("no extension"), "type": content_type},
            code="mismatch",
        )
    return content_type


@transaction.atomic
def attachment_store(*, uploaded_file, by) -> Attachment:
    content_type = upload_validate(uploaded_file)
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    attachment = Attachment(
        original_name=_clean_name(uploaded_file.name),
        content_type=content_type,
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
    )
    attachment.file.save(attachment.pk.hex, uploaded_file, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    """A download of an attachment. Call only after fetching its owner through ``visible_to``."""
    return private_file_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


def private_file_response(file, *, filename: str, content_type: str) -> FileResponse:
    """A download of a stored file that has no public URL, never rendered inline. Call only after the access
    check of whatever owns it."""
    response = FileResponse(file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
