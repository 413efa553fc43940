"""Registrations for the reminder kinds and context providers of the apps that use notifications."""

from accounts.models import Invitation, User
from accounts.services import invitation_url
from checklists import reminders as _checklist_reminders  # noqa: F401  (registers the checklist kinds)

from . import registry
from .models import Category
from .services import GENERIC_TEMPLATE, NotifyRequest, notify_many

# A reminder that simply tells people something at a time (see ``_message``).
MESSAGE_KIND = "notifications.message"


@registry.context_provider("accounts/email/invitation")
def _invitation_context(invitation: Invitation | None) -> dict:
    if invitation is None or not invitation.is_pending():
        raise registry.Obsolete
    # The signed link is rebuilt at send time, so the outbox never stores a usable invitation link.
    return {"invitation": invitation, "url": invitation_url(invitation)}


@registry.reminder_handler(MESSAGE_KIND)
def _message(reminders, *, now):
    """A plain reminder: ``payload`` = {"user_ids": [...], "title": ..., "body": ..., "category": ...}."""
    user_ids = {int(i) for reminder in reminders for i in reminder.payload.get("user_ids", [])}
    users = User.objects.in_bulk(user_ids)
    notify_many(
        [
            NotifyRequest(
                # One occurrence of the reminder: a repeat is a new event, a re-run of the same one is not.
                event=f"reminder:{reminder.key}:{reminder.due_at.isoformat()}",
                recipients=[users[int(i)] for i in reminder.payload.get("user_ids", []) if int(i) in users],
                category=reminder.payload.get("category", Category.GOVERNANCE),
                template=GENERIC_TEMPLATE,
                context={"title": reminder.payload.get("title", ""), "body": reminder.payload.get("body", "")},
                url=reminder.payload.get("url", ""),
            )
            for reminder in reminders
        ],
        now=now,
    )
