"""What notifications needs to know about the apps that use it, filled by each app in its own ``AppConfig.ready()``.

notifications imports no other app of the project (import-linter checks it): an app tells it about itself here,
and notifications reads these tables only when it works (a sweep, a migrate, a page), never at import time, so the
order of ``INSTALLED_APPS`` does not matter and ``NotificationsConfig.ready()`` needs nobody else's entries yet.

- Categories: ``register_category("checklist", _("Checklist reminders"))``. Every notification has one; users
  choose per category: immediately, a daily digest or off. ``mandatory`` categories always come at once;
  ``on_preferences=False`` hides one from the preferences page; ``for_client_users=False`` offers it to vendor
  staff only. The model fields' choices come from here, so a new category needs no migration.
- Reminder kinds: ``register_reminder_kind("checklist.overdue", fn)`` with ``fn(reminders, *, now) -> dict | None``.
  The handler gets a *batch* of locked, due reminders of its kind (so its queries do not grow with the batch) and
  writes their effects (usually ``notify_many``) in the sweep's transaction. It may return
  ``{reminder.pk: next_due_at_or_None}``: a datetime moves that reminder on, ``None`` finishes it; reminders it
  leaves out repeat by ``repeat_every`` or finish.
- Context providers: ``register_context_provider("accounts/email/invitation", fn)`` with ``fn(target) -> dict``:
  extra template context rebuilt at send time (for secrets that must not be stored in the outbox, like a signed
  link). A provider raises ``Obsolete`` when the message is no longer wanted (a revoked invitation): the row is
  then cancelled instead of sent.
- Attachment providers: ``register_attachment_provider("governance/email/invitation", fn)`` with
  ``fn(notification) -> list[(filename, content, mimetype)]``: files attached to that template's email, built at
  send time from the row's current target (a meeting's ``.ics``, say), so a message sent late carries what is true
  when it leaves. It may raise ``Obsolete`` as a context provider may.
- Periodic tasks: ``register_periodic_task(name, task, every_seconds=3600)`` or ``crontab={"minute": "0", ...}``.
  After ``migrate`` each becomes a django-celery-beat row once (an admin's later edits are kept), expiring after
  its interval so ticks queued while no worker runs do not pile up. Beat only ticks; the work is in rows.
- Ensure hooks: ``register_ensure(fn)``, ``fn()`` run after every ``migrate`` (and test-database flush) for rows
  that must exist once, such as a recurring reminder. It must be idempotent.
- Page layout: ``register_page_layout(fn)``, ``fn(user) -> template name`` that the centre and the preferences
  page extend (the staff or the portal layout); ``base.html`` until one is registered.

Registering the same thing twice is harmless (``ready()`` may run again in tests); registering a *different*
handler under a taken name is a programming error and raises ``ImproperlyConfigured``.
"""

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


class Obsolete(Exception):
    """The notification's reason has gone away; do not send it."""


@dataclass(frozen=True)
class NotificationCategory:
    value: str
    label: str
    mandatory: bool = False
    on_preferences: bool = True
    for_client_users: bool = True
    position: int = 100


@dataclass(frozen=True)
class PeriodicTick:
    name: str
    task: str
    every_seconds: int | None = None
    crontab: tuple | None = None  # sorted (field, value) pairs, hashable
    expire_seconds: int = 3600


_categories: dict[str, NotificationCategory] = {}
_reminder_kinds: dict[str, Callable] = {}
_context_providers: dict[str, Callable] = {}
_attachment_providers: dict[str, Callable] = {}
_periodic_tasks: dict[str, PeriodicTick] = {}
_ensure_hooks: list[Callable] = []
_page_layouts: list[Callable] = []


def _put(table: dict, key: str, value, what: str) -> None:
    if key in table and table[key] != value:
        raise ImproperlyConfigured(f"{what} {key!r} is registered twice, differently: {table[key]!r} and {value!r}.")
    table[key] = value


# --- Categories ---------------------------------------------------------------------------------------------


def register_category(
    value: str,
    label,
    *,
    mandatory: bool = False,
    on_preferences: bool = True,
    for_client_users: bool = True,
    position: int = 100,
) -> NotificationCategory:
    if not value or len(value) > 20:
        raise ImproperlyConfigured(f"A notification category needs a name of 1 to 20 characters, not {value!r}.")
    category = NotificationCategory(value, label, mandatory, on_preferences, for_client_users, position)
    _put(_categories, value, category, "Notification category")
    return category


def categories() -> list[NotificationCategory]:
    return sorted(_categories.values(), key=lambda c: (c.position, c.value))


def category_choices() -> list[tuple[str, str]]:
    """The model fields' choices (a callable, so a category added by an app needs no migration)."""
    return [(c.value, c.label) for c in categories()]


def is_category(value: str) -> bool:
    return value in _categories


def mandatory_categories() -> frozenset[str]:
    return frozenset(c.value for c in _categories.values() if c.mandatory)


def preference_categories(*, user=None) -> list[NotificationCategory]:
    """The categories a user chooses for on the preferences page (client users see only those offered to them)."""
    client_user = bool(getattr(user, "is_client_user", False))
    return [c for c in categories() if c.on_preferences and (c.for_client_users or not client_user)]


# --- Reminder kinds and context providers -------------------------------------------------------------------


def register_reminder_kind(kind: str, handler: Callable) -> Callable:
    _put(_reminder_kinds, kind, handler, "Reminder kind")
    return handler


def reminder_handler_for(kind: str) -> Callable | None:
    return _reminder_kinds.get(kind)


def register_context_provider(template: str, provider: Callable) -> Callable:
    _put(_context_providers, template, provider, "Context provider for")
    return provider


def has_context_provider(template: str) -> bool:
    return template in _context_providers


def context_for(template: str, target) -> dict:
    provider = _context_providers.get(template)
    return provider(target) if provider else {}


def register_attachment_provider(template: str, provider: Callable) -> Callable:
    _put(_attachment_providers, template, provider, "Attachment provider for")
    return provider


def attachments_for(notification) -> list[tuple[str, str | bytes, str]]:
    provider = _attachment_providers.get(notification.template)
    return list(provider(notification)) if provider else []


# --- Periodic ticks and ensure hooks ------------------------------------------------------------------------


def register_periodic_task(
    name: str,
    task,
    *,
    every_seconds: int | None = None,
    crontab: dict | None = None,
    expire_seconds: int | None = None,
) -> PeriodicTick:
    """``task`` is a Celery task or its registered name. Exactly one of ``every_seconds`` and ``crontab``
    (django-celery-beat's ``CrontabSchedule`` fields, in UTC). A tick expires after its interval (a crontab tick
    after an hour unless ``expire_seconds`` says otherwise): a late tick is pointless once the next one comes."""
    if (every_seconds is None) == (crontab is None):
        raise ImproperlyConfigured(f"Periodic task {name!r}: give either every_seconds or crontab.")
    if every_seconds is not None and every_seconds <= 0:
        raise ImproperlyConfigured(f"Periodic task {name!r}: every_seconds must be positive.")
    task_name = getattr(task, "name", task)
    if not isinstance(task_name, str) or not task_name:
        raise ImproperlyConfigured(f"Periodic task {name!r}: {task!r} is neither a Celery task nor a task name.")
    tick = PeriodicTick(
        name=name,
        task=task_name,
        every_seconds=every_seconds,
        crontab=tuple(sorted(crontab.items())) if crontab else None,
        expire_seconds=expire_seconds or every_seconds or 3600,
    )
    _put(_periodic_tasks, name, tick, "Periodic task")
    return tick


def periodic_tasks() -> list[PeriodicTick]:
    return list(_periodic_tasks.values())


def register_ensure(hook: Callable) -> Callable:
    if hook not in _ensure_hooks:
        _ensure_hooks.append(hook)
    return hook


def ensure_hooks() -> list[Callable]:
    return list(_ensure_hooks)


# --- Page layout --------------------------------------------------------------------------------------------


def register_page_layout(resolver: Callable) -> Callable:
    if _page_layouts and _page_layouts[0] is not resolver:
        raise ImproperlyConfigured("A page layout for notifications is registered twice.")
    _page_layouts[:] = [resolver]
    return resolver


def page_layout_for(user) -> str:
    return _page_layouts[0](user) if _page_layouts else "base.html"


# --- Tests --------------------------------------------------------------------------------------------------


_TABLES = (_categories, _reminder_kinds, _context_providers, _attachment_providers, _periodic_tasks)
_LISTS = (_ensure_hooks, _page_layouts)


@contextlib.contextmanager
def isolated(*, empty: bool = False):
    """For tests: registrations made inside are undone on exit; ``empty=True`` starts from empty tables."""
    saved_tables = [dict(table) for table in _TABLES]
    saved_lists = [list(items) for items in _LISTS]
    if empty:
        for table in _TABLES:
            table.clear()
        for items in _LISTS:
            items.clear()
    try:
        yield
    finally:
        for table, saved in zip(_TABLES, saved_tables, strict=True):
            table.clear()
            table.update(saved)
        for items, saved in zip(_LISTS, saved_lists, strict=True):
            items[:] = saved
