"""Relaying email: claiming due rows, sending them, recording success or failure with back-off, retrying."""

import contextlib
import logging
import time
from collections.abc import Iterable
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .. import registry
from ..models import (
    Channel,
    Notification,
    Status,
)
from .common import backoff, drain, render_plain, revive, zone_for
from .fanout import fanout_expand_batch
from .kick import relay_kick_on_commit

logger = logging.getLogger("notifications.services")


# --- Relaying email ---------------------------------------------------------------------------------------


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
    zone = zone_for(user)
    context = {
        **revive(notification.context),
        **registry.context_for(notification.template, notification.target),
        "notification": notification,
        "recipient": user,
        "target": notification.target,
        "site_url": settings.SITE_URL,
        "link": settings.SITE_URL + notification.url if notification.url.startswith("/") else notification.url,
    }
    with translation.override(language), timezone.override(zone):
        text = render_plain(f"{notification.template}.txt", context)
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
    for filename, content, mimetype in registry.attachments_for(notification):
        message.attach(filename, content, mimetype)
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
        next_attempt_at=now + backoff(notification.attempts),
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
    """Expand deferred fan-outs and drain due email rows, batch by batch, until nothing is due or the time budget is
    spent; returns how many were sent."""

    fanouts_left = True

    def step():
        nonlocal fanouts_left
        # Deferred fan-outs first (their outbox rows may be due at once): batch after batch for up to
        # NOTIFICATIONS_FANOUT_SLICE seconds, then one batch of mail, so that neither waits for the other to be
        # drained. A slice rather than one fan-out batch per mail batch: after an outage thousands of fan-outs wait,
        # and a batch of them takes about a tenth of a second where sending 50 mails takes a second or more. Once
        # none is left, this run asks no more (the kick after the next deferred write, or the next tick, expands the
        # rest).
        expanded, sliced = 0, time.monotonic()
        while fanouts_left:
            done = fanout_expand_batch(now=now)
            expanded += done
            fanouts_left = bool(done)
            if time.monotonic() - sliced >= settings.NOTIFICATIONS_FANOUT_SLICE:
                break
        batch = notification_claim_batch(now=now)
        return expanded + len(batch), (notification_deliver(batch, now=now)[0] if batch else 0)

    return drain(step, budget=settings.NOTIFICATIONS_RELAY_TIME_BUDGET if time_budget is None else time_budget)


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
