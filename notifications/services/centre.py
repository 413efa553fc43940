"""The notification centre: marking notifications read."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from ..models import (
    Notification,
)

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
