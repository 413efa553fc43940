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

``notify_many(requests, *, now=None)``
    The same for many ``NotifyRequest`` at once, with a constant number of queries (for sweeps).

``reminder_schedule(*, key, kind, due_at, target=None, repeat_every=None, payload=None, now=None)``
    Create or move the reminder ``key`` (unique): it fires once at ``due_at`` (absolute, aware), then every
    ``repeat_every`` if given. ``reminder_cancel(*, key)`` stops it. Handlers are registered per ``kind`` with
    ``notifications.registry.register_reminder_kind`` in the app's ``AppConfig.ready()``.
``category`` must be one some app registered (``registry.register_category``).
"""

import contextlib
import json
import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from . import registry
from .bulk import execute_bound
from .models import (
    Category,
    Channel,
    Delivery,
    DigestSetting,
    Notification,
    NotificationPreference,
    Reminder,
    ReminderStatus,
    Status,
    dedupe_key_for,
)

logger = logging.getLogger(__name__)

DIGEST_KIND = "notifications.daily_digest"
DIGEST_TEMPLATE = "notifications/email/digest"
GENERIC_TEMPLATE = "notifications/email/generic"


# --- Writing the outbox ----------------------------------------------------------------------------------


@dataclass
class NotifyRequest:
    event: str
    recipients: Iterable
    category: str
    template: str
    context: dict = field(default_factory=dict)
    target: object = None
    url: str | None = None
    channels: tuple = (Channel.EMAIL, Channel.IN_APP)
    # The digest mail itself, and mail that must go now whatever the preference.
    force_immediate: bool = False
    # Language for recipients without an account (a user's own language always wins).
    language: str = ""


def notify(
    *,
    event: str,
    recipients,
    category: str,
    template: str,
    context: dict | None = None,
    target=None,
    url: str | None = None,
    channels=(Channel.EMAIL, Channel.IN_APP),
    language: str = "",
    now=None,
) -> int:
    """Write the outbox rows of one event (see the module docstring). Returns how many rows were new."""
    request = NotifyRequest(
        event=event,
        recipients=recipients,
        category=category,
        template=template,
        context=context or {},
        target=target,
        url=url,
        channels=tuple(channels),
        language=language,
    )
    return notify_many([request], now=now)


def _user_zone(user) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _revive(context):
    """Context is stored as JSON; values under keys ending in ``_at`` come back as aware datetimes (so templates
    show them in the recipient's time zone) and under ``_on`` as dates, also inside lists and nested dicts (a
    digest's items)."""
    if isinstance(context, list):
        return [_revive(value) for value in context]
    if not isinstance(context, dict):
        return context
    revived = {}
    for key, value in context.items():
        if key.endswith("_on") and isinstance(value, str):
            revived[key] = parse_date(value) or value
        elif key.endswith("_at") and isinstance(value, str):
            parsed = parse_datetime(value)
            if parsed is None:
                revived[key] = value
            else:
                revived[key] = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, ZoneInfo("UTC"))
        else:
            revived[key] = _revive(value)
    return revived


def _render_plain(name: str, context: dict) -> str:
    """Render a plain-text template (subject, text body) without HTML escaping."""
    return get_template(name).template.render(Context(context, autoescape=False))


def _render_subject(template: str, context: dict, user, language: str = "") -> str:
    language = (user.language if user else None) or language or settings.LANGUAGE_CODE
    zone = _user_zone(user) if user else zoneinfo.ZoneInfo(settings.TIME_ZONE)
    with translation.override(language), timezone.override(zone):
        try:
            subject = _render_plain(f"{template}_subject.txt", context)
        except SoftTimeLimitExceeded:
            raise
        except Exception:
            # A broken template must not roll back the event that caused the notification: the row is written
            # with a plain subject, and the relay records the template's error on it (retried once fixed).
            logger.exception("Could not render %s_subject.txt", template)
            subject = str(context.get("title") or "") or _("A notification from the onboarding portal")
    # One line: a newline in a title must not start a new mail header.
    return " ".join(subject.split())[:300]


def _target_url(target, url):
    if url is not None:
        return url
    get_url = getattr(target, "get_absolute_url", None)
    return get_url() if get_url else ""


@transaction.atomic
def notify_many(requests: Iterable[NotifyRequest], *, now=None) -> int:
    now = now or timezone.now()
    requests = list(requests)
    User = get_user_model()
    for request in requests:
        if not registry.is_category(request.category):
            # A typo or an app that forgot to register its category: fail the caller's transaction loudly.
            raise ValueError(f"Unknown notification category {request.category!r}; register it in AppConfig.ready().")
    mandatory = registry.mandatory_categories()
    user_ids = {r.pk for request in requests for r in request.recipients if isinstance(r, User)}
    preferences = {
        (user_id, category): delivery
        for user_id, category, delivery in NotificationPreference.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "category", "delivery"
        )
    }
    rows, seen = [], set()
    for request in requests:
        target_type = ContentType.objects.get_for_model(request.target) if request.target is not None else None
        target_id = str(request.target.pk) if request.target is not None else ""
        url = _target_url(request.target, request.url)
        base_context = {
            **request.context,
            **registry.context_for(request.template, request.target),
        }
        # A subject depends on its reader's language and time zone only (never on who they are), so each request
        # renders it once per (language, zone) however many people it goes to.
        subjects = {}
        for recipient in request.recipients:
            user = recipient if isinstance(recipient, User) else None
            if user is not None and not user.is_active:
                continue
            delivery = Delivery.IMMEDIATE
            if user is not None and not request.force_immediate and request.category not in mandatory:
                delivery = preferences.get((user.pk, request.category), Delivery.IMMEDIATE)
            if delivery == Delivery.OFF:
                continue
            recipient_key = f"user:{user.pk}" if user else f"email:{recipient.lower()}"
            reader = (user.language, user.time_zone) if user else (None, None)
            subject = subjects.get(reader)
            if subject is None:
                subject = subjects[reader] = _render_subject(
                    request.template, {**base_context, "target": request.target}, user, request.language
                )
            for channel in request.channels:
                dedupe_key = dedupe_key_for(request.event, recipient_key, channel)
                if (channel == Channel.IN_APP and user is None) or dedupe_key in seen:
                    continue
                seen.add(dedupe_key)
                if channel == Channel.IN_APP:
                    # Shown in the centre as soon as the transaction commits: nothing to relay.
                    status = Status.SENT
                elif delivery == Delivery.DIGEST:
                    status = Status.HELD
                else:
                    status = Status.PENDING
                rows.append(
                    _OutboxRow(
                        event=request.event,
                        dedupe_key=dedupe_key,
                        category=request.category,
                        channel=channel,
                        status=status,
                        recipient=user,
                        to_email=user.email if user else recipient.lower(),
                        template=request.template,
                        language=request.language,
                        subject=subject,
                        context=request.context,
                        url=url,
                        target_type_id=target_type.pk if target_type else None,
                        target_id=target_id,
                    )
                )
    if not rows:
        return 0
    # The unique dedupe key turns a second write of the same event into a no-op, even from a racing sweep.
    new = _insert_new(rows, now)
    held_for = {row.recipient_id: row.recipient for row in rows if row.status == Status.HELD}
    if held_for:
        _digest_ensure(users=list(held_for.values()), now=now)
    if any(row.channel == Channel.EMAIL and row.status == Status.PENDING for row in rows):
        relay_kick_on_commit()
    return new


@dataclass(slots=True)
class _OutboxRow:
    """One outbox row to write: the columns that differ between the rows of a ``notify_many`` call (a sweep
    writes thousands; building model instances for them would cost more than writing them)."""

    event: str
    dedupe_key: str
    category: str
    channel: str
    status: str
    recipient: object
    to_email: str
    template: str
    language: str
    subject: str
    context: dict
    url: str
    target_type_id: int | None
    target_id: str

    @property
    def recipient_id(self):
        return self.recipient.pk if self.recipient is not None else None

    def instance(self, now) -> Notification:
        return Notification(
            event=self.event,
            dedupe_key=self.dedupe_key,
            category=self.category,
            channel=self.channel,
            status=self.status,
            recipient=self.recipient,
            to_email=self.to_email,
            template=self.template,
            language=self.language,
            subject=self.subject,
            context=self.context,
            url=self.url,
            target_type_id=self.target_type_id,
            target_id=self.target_id,
            created_at=now,
            next_attempt_at=now,
            sent_at=now if self.status == Status.SENT else None,
        )


# The columns notify_many writes per row (the rest are the same for every row of a call: see ``_insert_new``).
_ROW_COLUMNS = (
    ("event", "text"),
    ("dedupe_key", "text"),
    ("category", "text"),
    ("channel", "text"),
    ("status", "text"),
    ("recipient_id", "bigint"),
    ("to_email", "text"),
    ("template", "text"),
    ("language", "text"),
    ("subject", "text"),
    ("context", "text"),
    ("url", "text"),
    ("target_type_id", "integer"),
    ("target_id", "text"),
)


def _insert_new(rows: list[_OutboxRow], now) -> int:
    """Insert the rows that do not exist yet (by dedupe key); returns how many were new.

    On PostgreSQL: ONE statement whatever the number of rows (``INSERT ... SELECT FROM unnest(arrays) ON CONFLICT
    DO NOTHING RETURNING``, bound on the server: ``bulk.execute_bound``), so a sweep's query count does not grow with
    what it notifies, and no per-value parameters (a batch of thousands of rows stays far from the 65,535-parameter
    limit). Elsewhere: bulk_create."""
    if connection.vendor != "postgresql":
        before = Notification.objects.filter(dedupe_key__in=[row.dedupe_key for row in rows]).count()
        Notification.objects.bulk_create([row.instance(now) for row in rows], ignore_conflicts=True, batch_size=500)
        return len(rows) - before
    encoder = Notification._meta.get_field("context").encoder
    dumped: dict[int, str] = {}  # a request's context is shared by its rows: dump it once

    def context_json(row):
        key = id(row.context)
        if key not in dumped:
            dumped[key] = json.dumps(row.context, cls=encoder)
        return dumped[key]

    arrays = [
        [context_json(row) if column == "context" else getattr(row, column) for row in rows]
        for column, _type in _ROW_COLUMNS
    ]
    names = ", ".join(column for column, _type in _ROW_COLUMNS)
    # %b: each array goes in binary (psycopg would send lists of text as quoted literals otherwise).
    casts = ", ".join(f"%b::{db_type}[]" for _column, db_type in _ROW_COLUMNS)
    selected = ", ".join("v.context::jsonb" if column == "context" else f"v.{column}" for column, _t in _ROW_COLUMNS)
    inserted = execute_bound(
        f"INSERT INTO {Notification._meta.db_table} ({names}, created_at, next_attempt_at, sent_at, attempts,"
        f" last_error) SELECT {selected}, %s::timestamptz, %s::timestamptz,"
        f" CASE WHEN v.status = %s::text THEN %s::timestamptz END, 0, ''"
        f" FROM unnest({casts}) AS v({names}) ON CONFLICT DO NOTHING RETURNING 1",
        [now, now, str(Status.SENT), now, *arrays],
        fetch=True,
    )
    return len(inserted)


def _kick_relay():
    from . import tasks

    try:
        tasks.relay.delay()
    except Exception:
        logger.warning("Could not enqueue the notification relay; the periodic tick will pick the rows up.")


def relay_kick_on_commit() -> None:
    """Enqueue one relay run after the current transaction commits (once, however many rows it wrote)."""
    if any(func is _kick_relay for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_kick_relay)


# --- Relaying email ---------------------------------------------------------------------------------------


def _backoff(attempts: int) -> timedelta:
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), settings.NOTIFICATIONS_RETRY_MAX_SECONDS))


def notification_claim_batch(*, now=None, limit: int | None = None) -> list[Notification]:
    """Claim due email rows for this relay: lock them (skipping rows another relay holds), mark them
    SENDING with a lease until ``now + NOTIFICATIONS_LEASE_SECONDS``, commit. A relay that dies holding a
    claim loses it when the lease ends; the row is then claimed again (at-least-once)."""
    now = now or timezone.now()
    limit = limit or settings.NOTIFICATIONS_RELAY_BATCH
    lease_until = now + timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS)
    max_attempts = settings.NOTIFICATIONS_MAX_ATTEMPTS
    with transaction.atomic():
        due = list(
            Notification.objects.relay_due(now)
            .filter(channel=Channel.EMAIL)
            .order_by("next_attempt_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", "status", "attempts")[:limit]
        )
        # A row still SENDING after its last attempt's lease killed its relay every time (hard time limit, OOM,
        # SIGKILL mid-render): give it up rather than let it take a batch down with it every few minutes.
        spent = [pk for pk, status, attempts in due if status == Status.SENDING and attempts >= max_attempts]
        if spent:
            Notification.objects.filter(pk__in=spent).update(
                status=Status.FAILED,
                last_error=f"Gave up: the relay never finished its last {max_attempts} attempts (lease expired).",
            )
        ids = [pk for pk, _status, _attempts in due if pk not in spent]
        if not ids:
            return []
        Notification.objects.filter(pk__in=ids).update(
            status=Status.SENDING,
            next_attempt_at=lease_until,
            attempts=F("attempts") + 1,
        )
    return list(Notification.objects.filter(pk__in=ids).select_related("recipient").prefetch_related("target"))


def notification_email(notification: Notification, *, connection=None) -> EmailMultiAlternatives:
    """Build the email of an outbox row in its recipient's language and time zone."""
    user = notification.recipient
    if user is not None and not user.is_active:
        raise registry.Obsolete  # Deactivated since: no more mail to them.
    language = (user.language if user else None) or notification.language or settings.LANGUAGE_CODE
    zone = _user_zone(user) if user else zoneinfo.ZoneInfo(settings.TIME_ZONE)
    context = {
        **_revive(notification.context),
        **registry.context_for(notification.template, notification.target),
        "notification": notification,
        "recipient": user,
        "target": notification.target,
        "site_url": settings.SITE_URL,
        "link": settings.SITE_URL + notification.url if notification.url.startswith("/") else notification.url,
    }
    with translation.override(language), timezone.override(zone):
        text = _render_plain(f"{notification.template}.txt", context)
        html = render_to_string(f"{notification.template}.html", context)
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=text,
        # A user's current address: they may have changed it since the row was written.
        to=[user.email if user else notification.to_email],
        headers={"Message-ID": notification.message_id},
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


def _mark_sent(notification: Notification, now, *, to_email: str) -> None:
    # Only if this relay still holds the claim (same attempt): a relay that outlived its lease must not
    # overwrite a newer claim's outcome. The log keeps the address the mail went to (the user's current one).
    Notification.objects.filter(pk=notification.pk, status=Status.SENDING, attempts=notification.attempts).update(
        status=Status.SENT, sent_at=now, last_error="", to_email=to_email
    )


def _mark_failed(notification: Notification, error: str, now) -> None:
    gave_up = notification.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS
    Notification.objects.filter(pk=notification.pk, status=Status.SENDING, attempts=notification.attempts).update(
        status=Status.FAILED if gave_up else Status.PENDING,
        next_attempt_at=now + _backoff(notification.attempts),
        last_error=error[:2000],
    )


def notification_deliver(notifications: list[Notification], *, now=None) -> tuple[int, int]:
    """Send claimed rows one by one over one connection; a failure is recorded on its row and the
    others go on. Each row is marked sent right after its send, so a crash resends at most one."""
    sent = failed = 0
    mail = get_connection(fail_silently=False)
    try:
        mail.open()
    except Exception as error:
        for notification in notifications:
            _mark_failed(notification, f"{type(error).__name__}: {error}", now or timezone.now())
        return 0, len(notifications)
    try:
        for notification in notifications:
            try:
                message = notification_email(notification, connection=mail)
                message.send()
            except SoftTimeLimitExceeded:
                raise  # The task is out of time: stop; unsent claimed rows go again after their lease.
            except registry.Obsolete:
                Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
                    status=Status.CANCELLED, last_error=""
                )
            except Exception as error:
                logger.warning("Notification %s failed: %s", notification.pk, error)
                _mark_failed(
                    notification,
                    f"{type(error).__name__}: {error}",
                    now or timezone.now(),
                )
                failed += 1
                # A refused message may leave the SMTP session unusable: start a fresh one.
                with contextlib.suppress(Exception):
                    mail.close()
                    mail.open()
            else:
                _mark_sent(notification, now or timezone.now(), to_email=message.to[0])
                sent += 1
    finally:
        with contextlib.suppress(Exception):
            mail.close()
    return sent, failed


def notification_relay(*, now=None, time_budget: float | None = None) -> int:
    """Drain due email rows batch by batch until none is due or the time budget is spent."""
    import time

    started = time.monotonic()
    budget = settings.NOTIFICATIONS_RELAY_TIME_BUDGET if time_budget is None else time_budget
    total = 0
    while time.monotonic() - started < budget:
        batch = notification_claim_batch(now=now)
        if not batch:
            break
        sent, _failed = notification_deliver(batch, now=now)
        total += sent
    return total


@transaction.atomic
def notification_retry(*, notification_ids: Iterable[int], now=None) -> int:
    """Put failed (or waiting) email rows back to be sent at once: the admin's retry."""
    now = now or timezone.now()
    updated = Notification.objects.filter(
        pk__in=list(notification_ids),
        channel=Channel.EMAIL,
        status__in=[Status.FAILED, Status.PENDING],
    ).update(status=Status.PENDING, next_attempt_at=now, attempts=0)
    if updated:
        relay_kick_on_commit()
    return updated


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


# --- Preferences and the daily digest ----------------------------------------------------------------------


def digest_next_due(*, user: AbstractBaseUser, hour: int, now) -> datetime:
    """The next occurrence of ``hour``:00 in the user's own zone, as UTC (DST-safe: built from the local date)."""
    zone = _user_zone(user)
    local_now = now.astimezone(zone)
    candidate = datetime.combine(local_now.date(), datetime.min.time().replace(hour=hour), tzinfo=zone)
    if candidate <= local_now:
        candidate = datetime.combine(
            local_now.date() + timedelta(days=1),
            datetime.min.time().replace(hour=hour),
            tzinfo=zone,
        )
    return candidate.astimezone(zoneinfo.ZoneInfo("UTC"))


def _digest_ensure(*, users: list[AbstractBaseUser], now) -> None:
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


# --- Reminders ---------------------------------------------------------------------------------------------


def reminder_schedule(
    *,
    key: str,
    kind: str,
    due_at: datetime,
    target=None,
    repeat_every: timedelta | None = None,
    payload=None,
    now=None,
) -> Reminder:
    """Create or move a reminder (idempotent per ``key``). Call inside the transaction of the change that
    sets the due time, so the reminder exists exactly when the change does."""
    if timezone.is_naive(due_at):
        raise ValueError("due_at must be timezone-aware")
    now = now or timezone.now()
    defaults = {
        "kind": kind,
        "due_at": due_at,
        "status": ReminderStatus.PENDING,
        "repeat_every": repeat_every,
        "payload": payload or {},
        "attempts": 0,
        "last_error": "",
        "updated_at": now,
        "target_type": ContentType.objects.get_for_model(target) if target is not None else None,
        "target_id": str(target.pk) if target is not None else "",
    }
    reminder, _created = Reminder.objects.update_or_create(key=key, defaults=defaults)
    return reminder


def reminder_cancel(*, key: str, now=None) -> int:
    return Reminder.objects.filter(key=key, status=ReminderStatus.PENDING).update(
        status=ReminderStatus.CANCELLED, updated_at=now or timezone.now()
    )


_DONE = object()


def _run_handler(handler, reminders, now):
    with transaction.atomic():
        return handler(reminders, now=now) or {}


def _next_due(reminder: Reminder, outcome, now):
    """Where a fired reminder goes: a handler's answer, else its repeat, else done (None)."""
    if outcome is _DONE:
        if reminder.repeat_every:
            due = reminder.due_at
            # Skip the repeats missed during an outage: one reminder now, then on the rhythm.
            while due <= now:
                due += reminder.repeat_every
            return due
        return None
    if outcome is None:
        return None
    # A handler asking for a time already past would loop within one sweep.
    return max(outcome, now + timedelta(seconds=1))


def _record_outcomes(batch: list[Reminder], outcomes: dict, errors: dict, now) -> None:
    """Write what happened to a claimed batch in a constant number of queries (a CASE per row and field,
    as bulk_update builds, costs more than the whole sweep)."""
    fired = [r for r in batch if r.pk not in errors]
    done_ids, moved = [], {}
    for reminder in fired:
        next_due = _next_due(reminder, outcomes.get(reminder.pk, _DONE), now)
        if next_due is None:
            done_ids.append(reminder.pk)
        else:
            moved[reminder.pk] = next_due
    if fired:
        Reminder.objects.filter(pk__in=[r.pk for r in fired]).update(
            fired_count=F("fired_count") + 1, last_fired_at=now, attempts=0, last_error="", updated_at=now
        )
    if done_ids:
        Reminder.objects.filter(pk__in=done_ids).update(status=ReminderStatus.DONE)
    if moved:
        _set_due_at(moved)
    if errors:
        failing = [r for r in batch if r.pk in errors]
        for reminder in failing:
            reminder.attempts += 1
            reminder.last_error = errors[reminder.pk][:2000]
            # Backing off moves it out of the sweep's way, so it cannot block the others.
            reminder.due_at = now + _backoff(reminder.attempts)
            reminder.updated_at = now
        Reminder.objects.bulk_update(failing, ["attempts", "last_error", "due_at", "updated_at"])


def _set_due_at(due_by_pk: dict[int, datetime]) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Reminder._meta.db_table} AS r SET due_at = v.due_at"
                " FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, due_at) WHERE r.id = v.id",
                [list(due_by_pk), list(due_by_pk.values())],
            )
        return
    rows = list(Reminder.objects.filter(pk__in=list(due_by_pk)).only("pk", "due_at"))
    for row in rows:
        row.due_at = due_by_pk[row.pk]
    Reminder.objects.bulk_update(rows, ["due_at"])


def reminder_sweep_batch(*, now=None, limit: int | None = None) -> int:
    """Claim one batch of due reminders (skipping rows another sweep holds), fire them through their kinds'
    handlers and move or finish each, all in one transaction: a reminder's effects and its being marked
    fired commit together, so a crash neither loses nor repeats one. A failing reminder records its error and
    backs off without blocking the others. Returns the number of reminders claimed."""
    now = now or timezone.now()
    limit = limit or settings.REMINDERS_SWEEP_BATCH
    with transaction.atomic():
        batch = list(
            Reminder.objects.filter(status=ReminderStatus.PENDING, due_at__lte=now)
            .order_by("due_at")
            .select_for_update(skip_locked=True)[:limit]
        )
        if not batch:
            return 0
        by_kind = defaultdict(list)
        for reminder in batch:
            by_kind[reminder.kind].append(reminder)
        outcomes: dict[int, object] = {}
        errors: dict[int, str] = {}
        for kind, reminders in by_kind.items():
            handler = registry.reminder_handler_for(kind)
            if handler is None:
                errors.update({r.pk: f"No handler is registered for kind {kind!r}." for r in reminders})
                continue
            try:
                outcomes.update(_run_handler(handler, reminders, now))
            except SoftTimeLimitExceeded:
                raise  # Out of time: the whole batch rolls back and stays due for the next tick.
            except Exception:
                for reminder in reminders:
                    try:
                        outcomes.update(_run_handler(handler, [reminder], now))
                    except SoftTimeLimitExceeded:
                        raise
                    except Exception as error:
                        logger.exception("Reminder %s (%s) failed", reminder.key, kind)
                        errors[reminder.pk] = f"{type(error).__name__}: {error}"
        _record_outcomes(batch, outcomes, errors, now)
    return len(batch)


def reminder_sweep(*, now=None, time_budget: float | None = None) -> int:
    """Fire everything due, batch by batch, within a time budget (the next tick continues)."""
    import time

    started = time.monotonic()
    budget = settings.REMINDERS_SWEEP_TIME_BUDGET if time_budget is None else time_budget
    total = 0
    while time.monotonic() - started < budget:
        claimed = reminder_sweep_batch(now=now)
        if not claimed:
            break
        total += claimed
    return total


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
            local_day = now.astimezone(_user_zone(user)).date().isoformat()
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
