"""The promise ledger's notices, on the one ``Promise`` model: the reminder before a promise is due and the
sweep that marks it broken once it passes unkept.

- Every open promise with a due time (the handoff's sales promises, the contract's, those promised in a
  meeting or a conversation) has a reminder row (kind ``governance.commitment``) due ``PROMISE_REMIND_HOURS``
  before; it reminds the owner once. Each write in ``services/promises.py`` keeps that row right in its transaction.
- ``promises_mark_broken`` is the sweep: a periodic tick claims open promises past their due time that are not
  marked yet (``SKIP LOCKED``, a partial index), sets ``broken_at`` with a conditional update, so each breaks once,
  and tells the owner, the acting PM and the CSM. A broken promise is on the next meetings' agenda (governance
  reads ``selectors.promises_due_or_broken``) and in the engagement's health (``engagements/promises.py``). It
  can still be kept, late: the ledger says so.

The stored names (the reminder kind and keys, the notifications' events and their "governance" category, the beat
tick) are those the ledger had when it lived in governance: reminder rows, sent notices and people's preferences
keep working unchanged.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.models import Reminder, ReminderStatus
from notifications.services import NotifyRequest, notifications_withdraw, notify_many, reminder_schedule
from webhooks.services import EventSpec, emit_many

from ..figures import figures_refresh
from ..models import Promise, PromiseStatus

PROMISE_KIND = "governance.commitment"
# Governance's category ("Meetings and governance"), which people's preferences for these notices are stored under.
CATEGORY = "governance"
DUE_TEMPLATE = "engagements/email/promise_due"
BROKEN_TEMPLATE = "engagements/email/promise_broken"
# What the client is told of a promise made to them (``shown_to_client``): kept, or broken.
CLIENT_KEPT_TEMPLATE = "engagements/email/promise_kept_client"
CLIENT_BROKEN_TEMPLATE = "engagements/email/promise_broken_client"


def _key(promise_pk: int) -> str:
    return f"governance-promise:{promise_pk}"


def remind_before() -> timedelta:
    return timedelta(hours=settings.PROMISE_REMIND_HOURS)


def promise_reminder_sync(promise: Promise, *, now: datetime | None = None) -> None:
    """Keep a promise's reminder row right after any change (called in the transaction of every write)."""
    now = now or timezone.now()
    key = _key(promise.pk)
    if promise.status != PromiseStatus.OPEN:
        # Kept or dropped: the "due" and "broken" notices nobody read or got yet are no longer needed.
        notifications_withdraw(target=promise, category=CATEGORY, now=now)
    if promise.status != PromiseStatus.OPEN or promise.due_at <= now:
        Reminder.objects.filter(key=key, status=ReminderStatus.PENDING).update(
            status=ReminderStatus.CANCELLED, updated_at=now
        )
        return
    reminder_schedule(
        key=key,
        kind=PROMISE_KIND,
        due_at=max(promise.due_at - remind_before(), now),
        target=promise,
        payload={"due_at": promise.due_at.isoformat()},
        now=now,
    )


def _recipients(promise, *, extra_managers: bool):
    engagement = promise.engagement
    people = [promise.owner]
    if extra_managers:
        people += [engagement.pm, engagement.csm]
    seen, result = set(), []
    for person in people:
        if person is not None and person.is_active and person.pk not in seen:
            seen.add(person.pk)
            result.append(person)
    return result


def _url_for(user, promise) -> str:
    if user.is_client_user:
        return reverse("portal:promises")
    return reverse("governance:plan", args=[promise.engagement_id]) + "#promises"


def _notice(promise, user, *, event: str, template: str, url: str, **context) -> NotifyRequest:
    """One person's notice of one promise: what was promised, on which engagement, by when (and ``context``)."""
    return NotifyRequest(
        event=event,
        recipients=[user],
        category=CATEGORY,
        template=template,
        context={
            "description": promise.description,
            "engagement_name": promise.engagement.name,
            "due_at": promise.due_at,
            **context,
        },
        target=promise,
        url=url,
    )


def _requests(promises, *, event, template, extra_managers, now) -> list[NotifyRequest]:
    requests = []
    for promise in promises:
        for user in _recipients(promise, extra_managers=extra_managers):
            requests.append(
                _notice(
                    promise,
                    user,
                    event=f"{event}:{promise.pk}",
                    template=template,
                    url=_url_for(user, promise),
                    owner_name=str(promise.owner),
                )
            )
    return requests


def _client_key_users(promises) -> dict:
    """The key user linked on each engagement's stakeholder map (the client's voice on it), by engagement, for the
    promises made to the client; one query whatever the number of promises."""
    from ..models import Stakeholder

    engagement_ids = {p.engagement_id for p in promises if p.shown_to_client}
    if not engagement_ids:
        return {}
    rows = Stakeholder.objects.filter(
        engagement_id__in=engagement_ids, is_key_user=True, user__isnull=False, user__is_active=True
    ).select_related("user")
    return {row.engagement_id: row.user for row in rows}


def client_requests(promises, *, event: str, template: str) -> list[NotifyRequest]:
    """The client's notices of the promises made to them: their key user is told, with a link to *Our promises*."""
    key_users = _client_key_users(promises)
    requests = []
    for promise in promises:
        user = key_users.get(promise.engagement_id)
        if not promise.shown_to_client or user is None:
            continue
        requests.append(
            _notice(
                promise,
                user,
                event=f"{event}:{promise.pk}:{promise.due_at.isoformat()}",
                template=template,
                url=reverse("portal:promises"),
            )
        )
    return requests


def promise_kept_tell_client(promise: Promise, *, now: datetime) -> None:
    """A promise made to the client is kept: their key user is told (called by ``promise_close`` once the row's
    earlier notices are withdrawn, so this one stays)."""
    notify_many(
        client_requests([promise], event="governance.promise_kept_client", template=CLIENT_KEPT_TEMPLATE), now=now
    )


def remind_promises(reminders: list[Reminder], *, now: datetime) -> dict:
    """The reminder kind: the owner is reminded once before a promise is due (if it is still open)."""
    ids = [int(r.target_id) for r in reminders if r.target_id]
    promises = {
        c.pk: c for c in Promise.objects.filter(pk__in=ids).select_related("owner", "engagement__pm", "engagement__csm")
    }
    due = []
    for reminder in reminders:
        promise = promises.get(int(reminder.target_id or 0))
        if promise is not None and promise.status == PromiseStatus.OPEN and promise.due_at > now:
            due.append(promise)
    notify_many(
        _requests(due, event="governance.promise_due", template=DUE_TEMPLATE, extra_managers=False, now=now), now=now
    )
    return {reminder.pk: None for reminder in reminders}


def _broken_event(promise) -> EventSpec:
    """``promise.broken``, once per promise and due time (one kept late and promised again may break again)."""
    engagement = promise.engagement
    data = {
        "promise": {
            "id": promise.pk,
            "source": promise.source,
            "side": promise.side,
            "due_at": promise.due_at.astimezone(UTC).isoformat(),
            "broken_at": promise.broken_at.astimezone(UTC).isoformat(),
        },
        "engagement": {"id": engagement.pk},
        "client": {"id": engagement.client_id},
    }
    key = f"promise:{promise.pk}:broken:{promise.due_at.isoformat()}"
    return EventSpec.of("promise.broken", data, organization=engagement.client_id, engagement=engagement, key=key)


def promises_mark_broken(*, now: datetime | None = None, batch: int = 500) -> int:
    """The sweep: mark each open promise past its due time broken, once, and tell its people."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                Promise.objects.filter(status=PromiseStatus.OPEN, broken_at__isnull=True, due_at__lt=now)
                .order_by("due_at")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return total
            # Conditional: a row another sweep marked in between (or one kept meanwhile) is left alone.
            Promise.objects.filter(pk__in=ids, status=PromiseStatus.OPEN, broken_at__isnull=True).update(broken_at=now)
            broken = list(
                Promise.objects.filter(pk__in=ids, broken_at=now).select_related(
                    "owner", "engagement__pm", "engagement__csm"
                )
            )
            notify_many(
                _requests(
                    broken, event="governance.promise_broken", template=BROKEN_TEMPLATE, extra_managers=True, now=now
                )
                # A promise made to the client: the client hears it is broken from us, not at the next meeting.
                + client_requests(broken, event="governance.promise_broken_client", template=CLIENT_BROKEN_TEMPLATE),
                now=now,
            )
            emit_many([_broken_event(promise) for promise in broken], now=now)
            # A broken promise counts in its engagement's health: the figures follow in this transaction.
            figures_refresh({promise.engagement_id for promise in broken}, now=now)
            total += len(broken)
            if len(ids) < batch:
                return total
