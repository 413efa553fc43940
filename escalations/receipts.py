"""The receipt of the client's answer to a red flag's resolution (confirming it, or reopening the flag): what they
answered is the resolution as the team stated it (the timeline's "resolved" line before their answer), read as
stored now for verification."""

from django.utils.translation import gettext as _

from receipts.canonical import digest_of
from receipts.services import receipt_record

from .models import EventKind, FlagEvent, RedFlag

KIND = "escalations.resolution_answer"


def _resolution(answer: FlagEvent) -> FlagEvent | None:
    return (
        FlagEvent.objects.filter(flag_id=answer.flag_id, kind=EventKind.RESOLVED, pk__lt=answer.pk)
        .order_by("-pk")
        .first()
    )


def _payload(resolution: FlagEvent) -> dict:
    return {
        "flag": resolution.flag_id,
        "cycle": resolution.cycle,
        "resolved_at": resolution.at.isoformat(),
        "resolution": resolution.body,
    }


def resolution_content(object_id: str):
    answer = FlagEvent.objects.filter(pk=int(object_id)).first() if object_id.isdigit() else None
    resolution = _resolution(answer) if answer is not None else None
    return None if resolution is None else _payload(resolution)


def answer_receipt(flag: RedFlag, answer: FlagEvent, *, by, context) -> None:
    """The receipt of a client's answer (``answer``: the confirmed or reopened line just written); staff reopening a
    flag decide nothing for the client and get none."""
    if not by.is_client_user:
        return
    resolution = _resolution(answer)
    receipt_record(
        kind=KIND,
        object_id=answer.pk,
        engagement=flag.engagement,
        decision="confirmed" if answer.kind == EventKind.CONFIRMED else "reopened",
        subject=_("Resolution of the red flag “%(title)s”") % {"title": flag.title},
        by=by,
        at=answer.at,
        digest=digest_of(_payload(resolution) if resolution is not None else b""),
        context=context,
    )
