"""The receipt of the key user's acknowledgement of a delivered document version: what they acknowledged is the
version's file, its bytes as stored now (re-read for verification: a file replaced behind the portal's back shows
as a mismatch)."""

from django.utils.translation import gettext as _

from receipts.canonical import digest_of
from receipts.services import receipt_record

from .models import DocumentAcknowledgement

KIND = "documents.acknowledgement"


def _bytes(acknowledgement: DocumentAcknowledgement) -> bytes | None:
    attachment = acknowledgement.version.attachment
    try:
        with attachment.file.open("rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError, ValueError):
        return None


def document_content(object_id: str):
    acknowledgement = (
        DocumentAcknowledgement.objects.select_related("version__attachment").filter(pk=int(object_id)).first()
        if object_id.isdigit()
        else None
    )
    return None if acknowledgement is None else _bytes(acknowledgement)


def document_receipt(acknowledgement: DocumentAcknowledgement, *, context) -> None:
    version = acknowledgement.version
    content = _bytes(acknowledgement)
    receipt_record(
        kind=KIND,
        object_id=acknowledgement.pk,
        engagement=version.document.engagement,
        decision="acknowledged",
        subject=_("Document “%(title)s”, version %(label)s")
        % {"title": version.document.title, "label": version.label},
        by=acknowledgement.user,
        at=acknowledgement.at,
        digest=digest_of(content if content is not None else b""),
        context=context,
    )
