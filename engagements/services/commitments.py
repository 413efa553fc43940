"""Commitments: the promises of either side, tracked until kept or dropped."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .. import hooks, policy
from ..models import (
    Commitment,
    CommitmentSource,
    CommitmentStatus,
    Engagement,
    Side,
)
from .common import assign, save


def _validate_commitment_owner(commitment: Commitment) -> None:
    """A promise is owned on the side that made it: our staff for ours, the client's own people for theirs."""
    owner, engagement = commitment.owner, commitment.engagement
    if commitment.side == Side.VENDOR and not owner.is_vendor_user:
        raise ValidationError({"owner": _("The owner of our commitment must be one of our staff.")})
    if commitment.side == Side.CLIENT and owner.organization_id != engagement.client_id:
        raise ValidationError({"owner": _("The owner of the client's commitment must be one of the client's people.")})


@transaction.atomic
def commitment_add(
    *,
    by: User,
    engagement: Engagement,
    description: str,
    owner: User,
    due_at,
    source: str = CommitmentSource.SALES,
    side: str = Side.VENDOR,
    now=None,
) -> Commitment:
    """Track a promise of either side (the team records them; see ``Commitment``)."""
    policy.require_work(by, engagement)
    commitment = Commitment(
        engagement=engagement,
        description=(description or "").strip(),
        owner=owner,
        due_at=due_at,
        source=source,
        side=side,
        created_at=now or timezone.now(),
    )
    _validate_commitment_owner(commitment)
    save(commitment)
    hooks.commitment_changed(commitment, now=commitment.created_at)
    return commitment


COMMITMENT_EDITABLE = ("description", "source", "side", "owner", "due_at")


@transaction.atomic
def commitment_update(*, by: User, commitment: Commitment, **fields) -> Commitment:
    """Change what was promised, by whom, its owner or due time (not its status: see ``commitment_close``)."""
    policy.require_work(by, commitment.engagement)
    commitment = Commitment.objects.select_for_update().select_related("engagement").get(pk=commitment.pk)
    assign(commitment, fields, COMMITMENT_EDITABLE)
    _validate_commitment_owner(commitment)
    save(commitment)
    hooks.commitment_changed(commitment, now=timezone.now())
    return commitment


@transaction.atomic
def commitment_reopen(*, by: User, commitment: Commitment) -> Commitment:
    """A kept or dropped commitment turns out to be open after all."""
    return commitment_close(by=by, commitment=commitment, status=CommitmentStatus.OPEN)


@transaction.atomic
def commitment_close(*, by: User, commitment: Commitment, status: str = CommitmentStatus.KEPT, now=None) -> Commitment:
    """Record a commitment as kept or dropped (or, with ``OPEN``, open again)."""
    policy.require_work(by, commitment.engagement)
    if status not in CommitmentStatus.values:
        raise ValidationError({"status": _("Choose kept, dropped or open.")})
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    now = now or timezone.now()
    commitment.status = status
    commitment.closed_at = None if status == CommitmentStatus.OPEN else now
    save(commitment)
    hooks.commitment_changed(commitment, now=now)
    return commitment
