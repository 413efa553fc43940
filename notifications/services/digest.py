"""The daily digest: each user's held email in one mail, due at their own local hour (``preferences``)."""

from collections import defaultdict

from django.contrib.auth import get_user_model

from ..models import Category, Channel, Delivery, Notification, NotificationPreference, Reminder, Status
from .common import DIGEST_TEMPLATE, zone_for
from .entries import NotifyRequest
from .outbox import notify_many
from .preferences import digest_next_due


def remind_daily_digest(reminders: list[Reminder], *, now) -> dict:
    """Gather each user's held email notifications into one digest email; move on to the next local day."""
    user_ids = [int(r.target_id) for r in reminders]
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=user_ids).select_related("digest_setting")}
    held = defaultdict(list)
    for row in Notification.objects.filter(recipient_id__in=user_ids, status=Status.HELD).order_by("created_at"):
        held[row.recipient_id].append(row)
    wants_digest = set(
        NotificationPreference.objects.filter(user_id__in=user_ids, delivery=Delivery.DIGEST).values_list(
            "user_id", flat=True
        )
    )
    requests, outcome, gone = [], {}, []
    for reminder in reminders:
        user = users.get(int(reminder.target_id))
        if user is None or not user.is_active:
            outcome[reminder.pk] = None
            gone.extend(r.pk for r in held.pop(int(reminder.target_id), []))
            continue
        rows = held.get(user.pk, [])
        if rows:
            local_day = now.astimezone(zone_for(user)).date().isoformat()
            requests.append(
                NotifyRequest(
                    event=f"digest:{user.pk}:{local_day}:{rows[-1].pk}",
                    recipients=[user],
                    category=Category.DIGEST,
                    template=DIGEST_TEMPLATE,
                    context={
                        "items": [
                            {
                                "subject": r.subject,
                                "url": r.url,
                                "created_at": r.created_at,
                            }
                            for r in rows
                        ]
                    },
                    url="/notifications/",
                    channels=(Channel.EMAIL,),
                    force_immediate=True,
                )
            )
        hour = getattr(getattr(user, "digest_setting", None), "hour", 8)
        outcome[reminder.pk] = digest_next_due(user=user, hour=hour, now=now) if user.pk in wants_digest else None
    notify_many(requests, now=now)
    Notification.objects.filter(pk__in=[r.pk for rows in held.values() for r in rows]).update(
        status=Status.DIGESTED, sent_at=now
    )
    if gone:
        # Deactivated since: no more mail to them (as the relay does), and the log must not say it was sent.
        Notification.objects.filter(pk__in=gone).update(status=Status.CANCELLED)
    return outcome
