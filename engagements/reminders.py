"""Checklist item reminders. Owned by the notifications app (issue 4), which fills this in."""


def item_reminders_sync(item, *, now=None) -> None:
    """(Re)schedule the reminders of a checklist item (due soon / overdue) after it was created,
    re-dated, reassigned, had its status changed, or was deleted.

    Engagement services call it inside their transaction for every such change. A no-op until
    the notifications app provides the reminders engine.
    """
    return None
