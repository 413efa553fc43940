"""Actuals: effort and money spent on a stage, as entries (vendor-internal)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from engagements import policy

from ..models import ChecklistStage, StageActual
from .common import save


@transaction.atomic
def stage_actual_add(
    *, by: User, stage: ChecklistStage, spent_on: date, effort_days=0, amount=0, note: str = "", now=None
) -> StageActual:
    """Record effort and money spent on a stage; the stage's actuals are the sum of its entries."""
    policy.require_manage(by, stage.engagement)
    return save(
        StageActual(
            stage=stage,
            spent_on=spent_on,
            effort_days=effort_days or 0,
            amount=amount or 0,
            note=(note or "").strip(),
            recorded_by=by,
            recorded_at=now or timezone.now(),
        )
    )


@transaction.atomic
def stage_actual_delete(*, by: User, entry: StageActual) -> None:
    """Take back an entry recorded by mistake (the totals follow)."""
    policy.require_manage(by, entry.stage.engagement)
    StageActual.objects.filter(pk=entry.pk, stage_id=entry.stage_id).delete()
