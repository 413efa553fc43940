"""What the checklist services share: validated saves, the item history and JSON-safe values for it."""

from datetime import date

from accounts.models import User

from ..models import ChecklistItem, ItemEvent


def save(instance, **kwargs):
    instance.full_clean(**kwargs)
    instance.save()
    return instance


def record_event(item: ChecklistItem, *, by: User, action: str, changes: dict, now) -> ItemEvent:
    return ItemEvent.objects.create(item=item, actor=by, action=action, changes=changes, at=now)


def as_json(value):
    if isinstance(value, User):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
