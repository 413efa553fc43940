"""Registries other apps fill at import time (from their ``notifications_hooks``/``reminders`` modules).

- Reminder kinds: ``@reminder_handler("checklist.overdue")`` on ``fn(reminders, *, now) -> dict | None``. The
  handler gets a *batch* of locked, due reminders of its kind (so its queries do not grow with the batch) and
  writes their effects (usually ``notify_many``) in the sweep's transaction. It may return
  ``{reminder.pk: next_due_at_or_None}``: a datetime moves that reminder on, ``None`` finishes it; reminders it
  leaves out repeat by ``repeat_every`` or finish.
- Context providers: ``@context_provider("accounts/email/invitation")`` on ``fn(target) -> dict``, extra
  template context rebuilt at send time (for secrets that must not be stored in the outbox, like a signed link).
  A provider raises ``Obsolete`` when the message is no longer wanted (a revoked invitation): the row is then
  cancelled instead of sent.
"""

from collections.abc import Callable


class Obsolete(Exception):
    """The notification's reason has gone away; do not send it."""


_reminder_handlers: dict[str, Callable] = {}
_context_providers: dict[str, Callable] = {}


def reminder_handler(kind: str):
    def register(fn):
        _reminder_handlers[kind] = fn
        return fn

    return register


def reminder_handler_for(kind: str) -> Callable | None:
    return _reminder_handlers.get(kind)


def context_provider(template: str):
    def register(fn):
        _context_providers[template] = fn
        return fn

    return register


def context_for(template: str, target) -> dict:
    provider = _context_providers.get(template)
    return provider(target) if provider else {}
