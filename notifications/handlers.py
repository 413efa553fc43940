"""Notifications' own reminder kind for plain messages at a time (registered in ``NotificationsConfig.ready()``)."""

from django.contrib.auth import get_user_model

from .services import GENERIC_TEMPLATE, NotifyRequest, notify_many

# A reminder that simply tells people something at a time.
MESSAGE_KIND = "notifications.message"


def remind_message(reminders, *, now):
    """A plain reminder: ``payload`` = {"user_ids": [...], "title": ..., "body": ..., "category": ..., "url": ...}.
    ``category`` is required (one that some app registered): without it the reminder records the error."""
    user_ids = {int(i) for reminder in reminders for i in reminder.payload.get("user_ids", [])}
    users = get_user_model().objects.in_bulk(user_ids)
    notify_many(
        [
            NotifyRequest(
                # One occurrence of the reminder: a repeat is a new event, a re-run of the same one is not.
                event=f"reminder:{reminder.key}:{reminder.due_at.isoformat()}",
                recipients=[users[int(i)] for i in reminder.payload.get("user_ids", []) if int(i) in users],
                category=reminder.payload.get("category", ""),
                template=GENERIC_TEMPLATE,
                context={"title": reminder.payload.get("title", ""), "body": reminder.payload.get("body", "")},
                url=reminder.payload.get("url", ""),
            )
            for reminder in reminders
        ],
        now=now,
    )
