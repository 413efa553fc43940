"""Commitments: the promises of either side, tracked until kept or dropped. Every write keeps the commitment's
reminder row right in its transaction (``promises.commitment_reminder_sync``)."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .. import policy
from ..models import (
    Commitment,
    CommitmentSource,
    CommitmentStatus,
    Engagement,
    Side,
)
from .common import assign, save
from .promises import commitment_reminder_sync


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
    commitment_reminder_sync(commitment, now=commitment.created_at)
    return commitment


@transaction.atomic
def promise_record(
    *,
    by: User,
    engagement: Engagement,
    description: str,
    owner: User,
    due_at: datetime,
    source: str = CommitmentSource.CONVERSATION,
    source_object=None,
    side: str = Side.VENDOR,
    shown_to_client: bool = True,
    now: datetime | None = None,
) -> Commitment:
    """Record a promise made *to the other side* in a meeting or a conversation ("we will send an update by Friday
    12:00"), usually shown to the client, with its owner, due time, source and source object (the meeting)."""
    now = now or timezone.now()
    policy.require_work(by, engagement)
    if timezone.is_naive(due_at):
        raise ValueError("due_at must be aware")
    if due_at <= now:
        raise ValidationError({"due_at": _("A promise is due at a time still to come.")})
    if not (description or "").strip():
        raise ValidationError({"description": _("Write what was promised.")})
    commitment = commitment_add(
        by=by,
        engagement=engagement,
        description=description,
        owner=owner,
        due_at=due_at,
        source=source,
        side=side,
        now=now,
    )
    commitment.shown_to_client = shown_to_client
    if source_object is not None:
        commitment.source_type = ContentType.objects.get_for_model(source_object)
        commitment.source_id = str(source_object.pk)
    commitment.save(update_fields=["shown_to_client", "source_type", "source_id"])
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
    commitment_reminder_sync(commitment, now=timezone.now())
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
    commitment_reminder_sync(commitment, now=now)
    return commitment
