"""Notifications and reminders: the one way the portal tells people things.

Public API (other apps call only these):

``notify(*, event, recipients, category, template, context=None, target=None, url=None, now=None)``
    Write outbox rows for one event in the caller's transaction. ``event`` names the occurrence (for example
    ``"checklist.overdue:42:2026-11-24"``); each (event, recipient, channel) exists once, so calling it twice is
    harmless. ``recipients``: users and/or bare email addresses (people without an account; email only).
    ``template`` is a prefix: ``<template>_subject.txt``, ``<template>.txt`` and ``<template>.html``, rendered
    in the recipient's language and time zone. ``context`` must be JSON-serialisable (it is stored);
    Values under keys ending in ``_at`` may be datetimes (shown in the recipient's zone), under ``_on`` dates.
    ``target`` is the object the notification is about (its link is ``url`` or ``target.get_absolute_url()``).
    Users get an in-app notification and an email according to their preference for ``category``
    (immediately, daily digest or off; mandatory categories, such as account mail, cannot be turned off).
    The relay is kicked when the transaction commits; a beat tick catches anything the kick missed.

``notify_many(requests, *, now=None, deferred=False)``
    The same for many ``NotifyRequest`` at once, with a constant number of queries (for sweeps). With
    ``deferred=True`` it writes one fan-out row per request (who must be told of what) and the relay expands each
    into its outbox rows after commit, exactly once (``fanout``): for sweeps that notify thousands of events in one
    transaction. ``notify(..., deferred=True)`` likewise.

``reminder_schedule(*, key, kind, due_at, target=None, repeat_every=None, payload=None, now=None)``
    Create or move the reminder ``key`` (unique): it fires once at ``due_at`` (absolute, aware), then every
    ``repeat_every`` if given. ``reminder_schedule_many(specs)`` does it for many ``ReminderSpec`` in one upsert.
    ``reminder_cancel(*, key)`` stops it. Handlers are registered per ``kind`` with
    ``notifications.registry.register_reminder_kind`` in the app's ``AppConfig.ready()``.
``category`` must be one some app registered (``registry.register_category``).

By subject: ``outbox`` (writing), ``fanout`` (deferred writing and its expansion), ``relay`` (sending email),
``centre`` (read marks), ``digest`` (the daily digest), ``reminders`` (the engine). Below them, the leaves they share
(they import no writer): ``entries`` (who gets which rows, and their subjects), ``preferences`` (preferences and when a
digest is due), ``subjects``, ``kick`` (the relay kicked on commit) and ``common``. The modules import each other one
way (a ``layers`` contract in ``.importlinter``). Everything public is re-exported here.
"""

from .centre import notification_mark_all_read, notification_mark_read, notifications_withdraw
from .common import DIGEST_KIND, DIGEST_TEMPLATE, GENERIC_TEMPLATE
from .digest import remind_daily_digest
from .entries import NotifyRequest
from .fanout import fanout_expand, fanout_expand_batch, fanout_purge, fanout_purge_batch
from .kick import relay_kick_on_commit
from .outbox import notify, notify_many
from .preferences import digest_ensure, digest_next_due, preferences_for, preferences_update
from .relay import (
    notification_claim_batch,
    notification_deliver,
    notification_email,
    notification_relay,
    notification_retry,
)
from .reminders import (
    ReminderSpec,
    reminder_cancel,
    reminder_schedule,
    reminder_schedule_many,
    reminder_sweep,
    reminder_sweep_batch,
)

__all__ = [
    "DIGEST_KIND",
    "DIGEST_TEMPLATE",
    "GENERIC_TEMPLATE",
    "NotifyRequest",
    "ReminderSpec",
    "digest_ensure",
    "digest_next_due",
    "fanout_expand",
    "fanout_expand_batch",
    "fanout_purge",
    "fanout_purge_batch",
    "notification_claim_batch",
    "notification_deliver",
    "notification_email",
    "notification_mark_all_read",
    "notification_mark_read",
    "notification_relay",
    "notification_retry",
    "notify",
    "notify_many",
    "notifications_withdraw",
    "preferences_for",
    "preferences_update",
    "reminder_cancel",
    "reminder_schedule",
    "reminder_schedule_many",
    "reminder_sweep",
    "reminder_sweep_batch",
    "relay_kick_on_commit",
    "remind_daily_digest",
]
