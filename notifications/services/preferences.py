"""Preferences per category and when each user's daily digest is due (at their own local hour).

A leaf below the writers: the outbox schedules a digest for held mail through it, and the digest itself
(``digest``) sends through the outbox."""

import zoneinfo
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import registry
from ..models import Delivery, DigestSetting, Notification, NotificationPreference, Reminder, ReminderStatus, Status
from .common import DIGEST_KIND, zone_for
from .reminders import reminder_cancel, reminder_schedule


def digest_next_due(*, user: AbstractBaseUser, hour: int, now) -> datetime:
    """The next occurrence of ``hour``:00 in the user's own zone, as UTC (DST-safe: built from the local date)."""
    zone = zone_for(user)
    local_now = now.astimezone(zone)
    candidate = datetime.combine(local_now.date(), datetime.min.time().replace(hour=hour), tzinfo=zone)
    if candidate <= local_now:
        candidate = datetime.combine(
            local_now.date() + timedelta(days=1),
            datetime.min.time().replace(hour=hour),
            tzinfo=zone,
        )
    return candidate.astimezone(zoneinfo.ZoneInfo("UTC"))


def digest_ensure(*, users: list[AbstractBaseUser], now) -> None:
    """Held mail must have a digest to go out in. Preferences set in the admin schedule none, and a digest
    ends while its user is deactivated: schedule one for whoever has none pending (one query when all do)."""
    keys = {f"digest:{user.pk}": user for user in users}
    pending = set(Reminder.objects.filter(key__in=keys, status=ReminderStatus.PENDING).values_list("key", flat=True))
    # In id order, so two sweeps scheduling digests for the same people lock their rows in the same order.
    missing = sorted((user for key, user in keys.items() if key not in pending), key=lambda user: user.pk)
    if not missing:
        return
    hours = dict(DigestSetting.objects.filter(user__in=missing).values_list("user_id", "hour"))
    for user in missing:
        reminder_schedule(
            key=f"digest:{user.pk}",
            kind=DIGEST_KIND,
            due_at=digest_next_due(user=user, hour=hours.get(user.pk, 8), now=now),
            target=user,
            now=now,
        )


@transaction.atomic
def preferences_update(*, user: AbstractBaseUser, deliveries: dict[str, str], digest_hour: int, now=None) -> None:
    """Save a user's choice per category and their digest hour; schedule or cancel their daily digest."""
    now = now or timezone.now()
    if not 0 <= int(digest_hour) <= 23:
        raise ValidationError({"digest_hour": _("Choose an hour between 0 and 23.")})
    offered = {category.value: category for category in registry.preference_categories(user=user)}
    for category, delivery in deliveries.items():
        if category not in offered or delivery not in Delivery.values:
            raise ValidationError(_("Unknown category or delivery."))
        if offered[category].mandatory and delivery != Delivery.IMMEDIATE:
            raise ValidationError(
                _("%(category)s cannot be turned off or delayed.") % {"category": offered[category].label}
            )
    for category, delivery in deliveries.items():
        NotificationPreference.objects.update_or_create(user=user, category=category, defaults={"delivery": delivery})
    setting, _created = DigestSetting.objects.update_or_create(user=user, defaults={"hour": int(digest_hour)})
    setting.full_clean()
    wants_digest = NotificationPreference.objects.filter(user=user, delivery=Delivery.DIGEST).exists()
    key = f"digest:{user.pk}"
    if wants_digest:
        reminder_schedule(
            key=key,
            kind=DIGEST_KIND,
            due_at=digest_next_due(user=user, hour=setting.hour, now=now),
            target=user,
            now=now,
        )
    else:
        # Anything still held goes out in one last digest rather than being lost.
        if Notification.objects.filter(recipient=user, status=Status.HELD).exists():
            reminder_schedule(key=key, kind=DIGEST_KIND, due_at=now, target=user, now=now)
        else:
            reminder_cancel(key=key)


def preferences_for(*, user: AbstractBaseUser) -> tuple[dict[str, str], int]:
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("category", "delivery"))
    deliveries = {
        category.value: chosen.get(category.value, Delivery.IMMEDIATE)
        for category in registry.preference_categories(user=user)
    }
    setting = DigestSetting.objects.filter(user=user).first()
    return deliveries, setting.hour if setting else 8
