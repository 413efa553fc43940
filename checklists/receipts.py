"""The receipts of the client's decisions on stages and the work plan: what a decision was about (the snapshot of
the stages and items stored with it, as stored now) and the receipt written with the decision."""

from django.utils.translation import gettext as _

from receipts.canonical import digest_of
from receipts.services import receipt_record

from .models import StageAcceptance

KIND = "checklists.acceptance"


def _payload(acceptance: StageAcceptance) -> dict:
    return {
        "engagement": acceptance.engagement_id,
        "stage": acceptance.stage_id,
        "work_plan": acceptance.stage_id is None,
        "snapshot": acceptance.snapshot,
    }


def acceptance_content(object_id: str):
    """What decision ``object_id`` was about, as stored now (``None`` when the decision is gone)."""
    acceptance = StageAcceptance.objects.filter(pk=int(object_id)).first() if object_id.isdigit() else None
    return None if acceptance is None else _payload(acceptance)


def acceptance_receipt(acceptance: StageAcceptance, *, context) -> None:
    """The receipt of a decision just recorded, in its transaction."""
    if acceptance.stage_id is None:
        subject = _("Work plan of %(engagement)s") % {"engagement": acceptance.engagement.name}
    else:
        subject = _("Stage “%(stage)s” of %(engagement)s") % {
            "stage": acceptance.stage.title,
            "engagement": acceptance.engagement.name,
        }
    receipt_record(
        kind=KIND,
        object_id=acceptance.pk,
        engagement=acceptance.engagement,
        decision=acceptance.decision,
        subject=subject,
        by=acceptance.decided_by,
        at=acceptance.decided_at,
        digest=digest_of(_payload(acceptance)),
        context=context,
    )
