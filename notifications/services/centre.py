"""The notification centre: marking notifications read, and withdrawing those whose reason went away."""

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from ..models import Channel, Notification, Status

# --- The notification centre ------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, user: AbstractBaseUser, notification_id: int, now=None) -> Notification:
    now = now or timezone.now()
    notification = Notification.objects.visible_to(user).select_for_update().get(pk=notification_id)
    if notification.read_at is None:
        notification.read_at = now
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, user: AbstractBaseUser, now=None) -> int:
    return Notification.objects.visible_to(user).unread().update(read_at=now or timezone.now())


@transaction.atomic
def notifications_withdraw(*, target, category: str | None = None, now=None) -> int:
    """The reason for every notification about ``target`` (of ``category``) went away, e.g. the checklist item
    they remind about is done: mail not sent yet (pending, or held for a digest) is cancelled, and in-app ones
    still unread are marked no longer needed (read and cancelled), so nobody is asked to act on what is finished.
    What was already read or sent stays as it was. Returns how many rows were withdrawn."""
    now = now or timezone.now()
    rows = Notification.objects.filter(target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk))
    if category is not None:
        rows = rows.filter(category=category)
    unsent = rows.filter(channel=Channel.EMAIL, status__in=(Status.PENDING, Status.HELD)).update(
        status=Status.CANCELLED, next_attempt_at=now
    )
    unread = rows.filter(channel=Channel.IN_APP, read_at__isnull=True).exclude(status=Status.CANCELLED)
    return unsent + unread.update(status=Status.CANCELLED, read_at=now)
