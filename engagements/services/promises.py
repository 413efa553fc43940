"""The promise ledger's writes: the promises of either side, tracked until kept or dropped. Every write keeps the
promise's reminder row right in its transaction (``promise_notices.promise_reminder_sync``)."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .. import policy
from ..figures import figures_refresh
from ..models import (
    Engagement,
    Promise,
    PromiseSource,
    PromiseStatus,
    Side,
)
from .common import assign, save
from .promise_notices import promise_kept_tell_client, promise_reminder_sync


def _validate_promise_owner(promise: Promise) -> None:
    """A promise is owned on the side that made it: our staff for ours, the client's own people for theirs."""
    owner, engagement = promise.owner, promise.engagement
    if promise.side == Side.VENDOR and not owner.is_vendor_user:
        raise ValidationError({"owner": _("The owner of our promise must be one of our staff.")})
    if promise.side == Side.CLIENT and owner.organization_id != engagement.client_id:
        raise ValidationError({"owner": _("The owner of the client's promise must be one of the client's people.")})


@transaction.atomic
def promise_add(
    *,
    by: User,
    engagement: Engagement,
    description: str,
    owner: User,
    due_at,
    source: str = PromiseSource.SALES,
    side: str = Side.VENDOR,
    now=None,
) -> Promise:
    """Track a promise of either side (the team records them; see ``Promise``)."""
    policy.require_work(by, engagement)
    promise = Promise(
        engagement=engagement,
        description=(description or "").strip(),
        owner=owner,
        due_at=due_at,
        source=source,
        side=side,
        created_at=now or timezone.now(),
    )
    _validate_promise_owner(promise)
    save(promise)
    promise_reminder_sync(promise, now=promise.created_at)
    return promise


@transaction.atomic
def promise_record(
    *,
    by: User,
    engagement: Engagement,
    description: str,
    owner: User,
    due_at: datetime,
    source: str = PromiseSource.CONVERSATION,
    source_object=None,
    side: str = Side.VENDOR,
    shown_to_client: bool = True,
    now: datetime | None = None,
) -> Promise:
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
    promise = promise_add(
        by=by,
        engagement=engagement,
        description=description,
        owner=owner,
        due_at=due_at,
        source=source,
        side=side,
        now=now,
    )
    promise.shown_to_client = shown_to_client
    if source_object is not None:
        promise.source_type = ContentType.objects.get_for_model(source_object)
        promise.source_id = str(source_object.pk)
    promise.save(update_fields=["shown_to_client", "source_type", "source_id"])
    return promise


PROMISE_EDITABLE = ("description", "source", "side", "owner", "due_at")


@transaction.atomic
def promise_update(*, by: User, promise: Promise, **fields) -> Promise:
    """Change what was promised, by whom, its owner or due time (not its status: see ``promise_close``)."""
    policy.require_work(by, promise.engagement)
    promise = Promise.objects.select_for_update().select_related("engagement").get(pk=promise.pk)
    assign(promise, fields, PROMISE_EDITABLE)
    _validate_promise_owner(promise)
    save(promise)
    promise_reminder_sync(promise, now=timezone.now())
    return promise


@transaction.atomic
def promise_reopen(*, by: User, promise: Promise) -> Promise:
    """A kept or dropped promise turns out to be open after all."""
    return promise_close(by=by, promise=promise, status=PromiseStatus.OPEN)


@transaction.atomic
def promise_close(*, by: User, promise: Promise, status: str = PromiseStatus.KEPT, now=None) -> Promise:
    """Record a promise as kept or dropped (or, with ``OPEN``, open again)."""
    policy.require_work(by, promise.engagement)
    if status not in PromiseStatus.values:
        raise ValidationError({"status": _("Choose kept, dropped or open.")})
    promise = Promise.objects.select_for_update().get(pk=promise.pk)
    now = now or timezone.now()
    was, promise.status = promise.status, status
    promise.closed_at = None if status == PromiseStatus.OPEN else now
    save(promise)
    promise_reminder_sync(promise, now=now)
    figures_refresh([promise.engagement_id], now=now)
    if status == PromiseStatus.KEPT and was != PromiseStatus.KEPT:
        promise_kept_tell_client(promise, now=now)
    return promise
