"""The receipt of the key user's acknowledgement of shared minutes: what they acknowledged is the minutes version's
content (agenda, minutes per item, outcomes, attendance) as it was shared, read as stored now for verification."""

from django.utils.translation import gettext as _

from receipts.canonical import digest_of
from receipts.services import receipt_record

from .models import MinutesAcknowledgement

KIND = "governance.minutes_acknowledgement"


def _payload(acknowledgement: MinutesAcknowledgement) -> dict:
    version = acknowledgement.version
    return {"meeting": version.meeting_id, "version": version.number, "content": version.content}


def minutes_content(object_id: str):
    acknowledgement = (
        MinutesAcknowledgement.objects.select_related("version").filter(pk=int(object_id)).first()
        if object_id.isdigit()
        else None
    )
    return None if acknowledgement is None else _payload(acknowledgement)


def minutes_receipt(acknowledgement: MinutesAcknowledgement, *, context) -> None:
    meeting = acknowledgement.version.meeting
    receipt_record(
        kind=KIND,
        object_id=acknowledgement.pk,
        engagement=meeting.engagement,
        decision="acknowledged",
        subject=_("Minutes of “%(meeting)s” (%(date)s), version %(number)s")
        % {
            "meeting": meeting.title,
            "date": meeting.starts_at.date().isoformat(),
            "number": acknowledgement.version.number,
        },
        by=acknowledgement.user,
        at=acknowledgement.at,
        digest=digest_of(_payload(acknowledgement)),
        context=context,
    )
