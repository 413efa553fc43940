"""Checklist item reminders, on the notifications app's reminders engine.

- ``item_reminders_sync(item, now=)``: checklist services call it in their transaction whenever an item is
  created, re-dated, reassigned, completed or deleted. It keeps two reminder rows per item right:
  *due soon* (``CHECKLIST_DUE_SOON_LEAD`` before the due date, 09:00 in the recipient's zone) and *overdue*
  (09:00 the morning after the due date, then every ``CHECKLIST_OVERDUE_REPEAT`` on the recipient's local clock,
  so a DST change does not move it to 08:00 or 10:00).
- The handlers re-check the item when the reminder fires (it may have been completed, re-dated or deleted since,
  or its engagement closed) and choose the recipient then: the assignee (the acting PM when the assignee is the
  engagement's PM and they are away), else - also when that person is deactivated - the CSM for vendor items and
  the client's key user for client items.
- A weekly reminder (``WEEKLY_KEY``) sends each CSM a digest of their engagements' overdue items.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, StaffAbsence, User, zone_named
from engagements.models import Phase, Side, Stakeholder
from engagements.services import engagement_acting_pm
from notifications.clock import at_local_hour
from notifications.models import Category, Reminder, ReminderStatus
from notifications.services import (
    NotifyRequest,
    ReminderSpec,
    notifications_withdraw,
    notify_many,
    reminder_schedule,
    reminder_schedule_many,
)
from webhooks.services import EventSpec, emit_many

from .models import ChecklistItem
from .webhook_events import item_data

DUE_SOON_KIND = "checklist.due_soon"
OVERDUE_KIND = "checklist.overdue"
WEEKLY_KIND = "checklist.csm_weekly"
WEEKLY_KEY = "checklist:csm-weekly"
# The notification categories of checklist mail (registered in ChecklistsConfig.ready()): reminders about items,
# the client's decisions and feedback (rejections, a score that changes health), and comments.
CHECKLIST_CATEGORY = "checklist"
DECISIONS_CATEGORY = "decisions"
COMMENTS_CATEGORY = "comments"


def _keys(item_pk: int) -> tuple[str, str]:
    return f"checklist-item:{item_pk}:due-soon", f"checklist-item:{item_pk}:overdue"


def _zone_of(user) -> ZoneInfo:
    return user.zone if user is not None else zone_named(None)


def _next_on_local_clock(due_at: datetime, every: timedelta, zone: ZoneInfo, *, now: datetime) -> datetime:
    """The next repeat after ``now``, ``every`` on from ``due_at`` on the local clock of ``zone`` (so an
    overdue reminder stays at 09:00 local across a DST change); missed repeats are skipped."""
    if every <= timedelta(0):
        raise ValueError("a repeat must be positive")  # a misconfigured interval would loop for ever
    wall = due_at.astimezone(zone).replace(tzinfo=None)
    while True:
        wall += every
        at = wall.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))
        if at > now:
            return at


def _wanted(item, existing: dict, *, now) -> dict:
    """What the item's two reminder rows should be: their fields, ``None`` to cancel, or ``"keep"``."""
    due_soon_key, overdue_key = _keys(item.pk)
    wanted: dict[str, dict | str | None] = {due_soon_key: None, overdue_key: None}  # None: cancel
    if not item.is_closed and item.due_on is not None:
        # The zone of whoever is likely to receive it; the handler re-checks everything when it fires.
        zone = _zone_of(item.assignee if item.assignee_id else item.stage.engagement.csm)
        payload = {"due_on": item.due_on.isoformat()}
        due_soon_at = at_local_hour(item.due_on, zone, before=settings.CHECKLIST_DUE_SOON_LEAD)
        overdue_at = at_local_hour(item.due_on + timedelta(days=1), zone)
        if now < overdue_at:
            wanted[due_soon_key] = {"kind": DUE_SOON_KIND, "due_at": max(due_soon_at, now), "payload": payload}
        current = existing.get(overdue_key)
        same_date = current and current.status == ReminderStatus.PENDING and current.payload == payload
        # Same due date: keep the overdue rhythm (a reassignment must not restart it).
        wanted[overdue_key] = (
            "keep"
            if same_date
            else {
                "kind": OVERDUE_KIND,
                "due_at": max(overdue_at, now),
                "payload": payload,
                "repeat_every": settings.CHECKLIST_OVERDUE_REPEAT,
            }
        )
    return wanted


def _row_values(fields: dict, *, now) -> dict:
    return {
        "repeat_every": None,
        **fields,
        "status": ReminderStatus.PENDING,
        "attempts": 0,
        "last_error": "",
        "updated_at": now,
    }


def item_reminders_sync(item, *, now=None) -> None:
    """(Re)schedule the reminders of a checklist item after a change (see the module docstring).

    Called once per item, also when a template creates dozens: one SELECT and one write per call."""
    now = now or timezone.now()
    existing = {r.key: r for r in Reminder.objects.filter(key__in=_keys(item.pk))}
    wanted = _wanted(item, existing, now=now)
    target_type = ContentType.objects.get_for_model(item)
    to_create = []
    for key, fields in wanted.items():
        row = existing.get(key)
        if fields == "keep":
            continue
        if fields is None:
            if row is not None and row.status == ReminderStatus.PENDING:
                Reminder.objects.filter(pk=row.pk).update(status=ReminderStatus.CANCELLED, updated_at=now)
            continue
        values = _row_values(fields, now=now)
        if row is not None:
            Reminder.objects.filter(pk=row.pk).update(**values)
        else:
            to_create.append(
                Reminder(key=key, target_type=target_type, target_id=str(item.pk), created_at=now, **values)
            )
    if to_create:
        Reminder.objects.bulk_create(to_create)
    if item.is_closed:
        # Reminders already sent about it must not stay "New" in anyone's centre, nor go out in a digest.
        notifications_withdraw(target=item, category=CHECKLIST_CATEGORY, now=now)


def items_reminders_sync(items, *, now) -> None:
    """``item_reminders_sync`` for many re-dated open items at once (the plan's rescheduling), in a constant number
    of queries: one SELECT of their rows, one upsert of the rows to (re)schedule (``reminder_schedule_many``) and
    one UPDATE of those to cancel. The items come with ``assignee`` and ``stage.engagement.csm`` loaded. (Django's
    ``bulk_update`` builds a CASE per row and field: 12 s for 500 items, against well under one for the upsert.)"""
    items = list(items)
    if not items:
        return
    existing = {r.key: r for r in Reminder.objects.filter(key__in=[key for item in items for key in _keys(item.pk)])}
    specs, cancel = [], []
    for item in items:
        for key, fields in _wanted(item, existing, now=now).items():
            row = existing.get(key)
            if fields == "keep":
                continue
            if fields is None:
                if row is not None and row.status == ReminderStatus.PENDING:
                    cancel.append(key)
                continue
            specs.append(
                ReminderSpec(
                    key=key,
                    kind=fields["kind"],
                    due_at=fields["due_at"],
                    target=item,
                    payload=fields["payload"],
                    repeat_every=fields.get("repeat_every"),
                )
            )
    if specs:
        reminder_schedule_many(specs, now=now)
    if cancel:
        Reminder.objects.filter(key__in=cancel, status=ReminderStatus.PENDING).update(
            status=ReminderStatus.CANCELLED, updated_at=now
        )


def _recipients_for(items, *, today) -> dict[int, object]:
    """Who each item's reminder goes to, with a constant number of queries for the whole batch."""
    engagements = {item.stage.engagement_id: item.stage.engagement for item in items}
    key_users = {}
    for stakeholder in Stakeholder.objects.filter(
        engagement_id__in=engagements, is_key_user=True, user__isnull=False, user__is_active=True
    ).select_related("user"):
        key_users[stakeholder.engagement_id] = stakeholder.user
    client_ids = {e.client_id for e in engagements.values()}
    fallback = {}
    for user in User.objects.filter(organization_id__in=client_ids, role=Role.CLIENT_KEY_USER, is_active=True).order_by(
        "-pk"
    ):
        fallback[user.organization_id] = user
    pm_ids = {e.pm_id for e in engagements.values() if e.pm_id}
    absences = list(StaffAbsence.objects.filter(user_id__in=pm_ids).covering(today))
    recipients = {}
    for item in items:
        engagement = item.stage.engagement
        person = item.assignee
        if person is not None and person.pk == engagement.pm_id:
            person = engagement_acting_pm(engagement, on=today, absences=absences)
        if person is not None and not person.is_active:
            # A deactivated assignee (or deputy) reads no mail: whoever answers for the item's side is told.
            person = None
        if person is None:
            if item.owner_side == Side.CLIENT:
                person = key_users.get(engagement.pk) or fallback.get(engagement.client_id)
            else:
                person = engagement.csm
        recipients[item.pk] = person
    return recipients


def _item_url(item, person) -> str:
    if person.is_client_user:
        return reverse("portal:item", args=[item.pk])
    return reverse("checklists:item", args=[item.pk])


def _fire(reminders, *, now, kind: str) -> dict:
    items = {
        item.pk: item
        for item in ChecklistItem.objects.filter(pk__in=[int(r.target_id) for r in reminders if r.target_id])
        .select_related("stage__engagement__client", "stage__engagement__csm", "assignee")
        .select_related("stage__engagement__pm", "stage__engagement__deputy_pm")
    }
    today = timezone.localdate(now)
    recipients = _recipients_for(list(items.values()), today=today)
    outcome, requests, events = {}, [], []
    for reminder in reminders:
        item = items.get(int(reminder.target_id)) if reminder.target_id else None
        # Re-checked now: deleted, completed or re-dated items end their reminder without a word.
        if item is None or item.is_closed or item.due_on is None:
            outcome[reminder.pk] = None
            continue
        if reminder.payload.get("due_on") != item.due_on.isoformat():
            outcome[reminder.pk] = None
            continue
        engagement = item.stage.engagement
        if engagement.phase == Phase.CLOSED:
            outcome[reminder.pk] = None  # A closed engagement's open items are nobody's to chase.
            continue
        if kind == OVERDUE_KIND:
            # Other systems hear of it once per due date (the key), however often the reminder repeats.
            events.append(
                EventSpec.of(
                    "item.overdue",
                    item_data(item, engagement),
                    organization=engagement.client_id,
                    engagement=engagement,
                    key=f"item.overdue:{item.pk}:{item.due_on.isoformat()}",
                )
            )
        person = recipients.get(item.pk)
        if person is None or not person.is_active:
            continue  # Nobody to tell this time; an overdue reminder tries again at its next repeat.
        zone = _zone_of(person)
        # "Overdue by N days" as the recipient counts them: 09:00 in Auckland is still yesterday in UTC.
        local_today = timezone.localdate(now, zone)
        if kind == OVERDUE_KIND and reminder.repeat_every:
            outcome[reminder.pk] = _next_on_local_clock(reminder.due_at, reminder.repeat_every, zone, now=now)
        # Due soon: once per due date. Overdue: once per repeat (its due time; a date would merge repeats
        # shorter than a day into one).
        occurrence = item.due_on.isoformat() if kind == DUE_SOON_KIND else reminder.due_at.isoformat()
        requests.append(
            NotifyRequest(
                event=f"{kind}:{item.pk}:{occurrence}",
                recipients=[person],
                category=CHECKLIST_CATEGORY,
                template=f"checklists/email/{kind.replace('.', '_')}",
                context={
                    "item_title": item.title,
                    "engagement_name": engagement.name,
                    "client_name": engagement.client.name,
                    "due_on": item.due_on,
                    "days_overdue": (local_today - item.due_on).days,
                },
                target=item,
                url=_item_url(item, person),
            )
        )
    notify_many(requests, now=now)
    emit_many(events, now=now)
    return outcome


def remind_due_soon(reminders, *, now):
    return _fire(reminders, now=now, kind=DUE_SOON_KIND)


def remind_overdue(reminders, *, now):
    return _fire(reminders, now=now, kind=OVERDUE_KIND)


def weekly_digest_ensure(*, now=None) -> None:
    """Create the weekly CSM digest reminder once (Monday 07:00 UTC, then weekly); never move an existing one."""
    if Reminder.objects.filter(key=WEEKLY_KEY).exists():
        return
    now = now or timezone.now()
    monday = timezone.localdate(now, ZoneInfo("UTC"))
    monday -= timedelta(days=monday.weekday())
    first = datetime.combine(monday, time(7, 0), tzinfo=ZoneInfo("UTC"))
    if first <= now:
        first += timedelta(days=7)
    reminder_schedule(key=WEEKLY_KEY, kind=WEEKLY_KIND, due_at=first, repeat_every=timedelta(days=7), now=now)


def remind_csm_weekly(reminders, *, now):
    """Each CSM gets one email listing the overdue items of their active engagements (one query for all)."""
    today = timezone.localdate(now)
    overdue = (
        ChecklistItem.objects.overdue(today)
        .filter(~Q(stage__engagement__phase=Phase.CLOSED), stage__engagement__csm__is_active=True)
        .select_related("stage__engagement__client", "stage__engagement__csm", "assignee")
        .order_by("stage__engagement__csm_id", "stage__engagement__name", "due_on", "pk")
    )
    by_csm, csms = defaultdict(list), {}
    for item in overdue:
        engagement = item.stage.engagement
        csms[engagement.csm_id] = engagement.csm
        by_csm[engagement.csm_id].append(
            {
                "title": item.title,
                "engagement": f"{engagement.client.name} — {engagement.name}",
                "due_on": item.due_on,
                "days_overdue": (today - item.due_on).days,
                "assignee": str(item.assignee) if item.assignee else "",
                "url": reverse("checklists:item", args=[item.pk]),
            }
        )
    week = today.isocalendar()
    notify_many(
        [
            NotifyRequest(
                event=f"{WEEKLY_KIND}:{week.year}-W{week.week:02d}",
                recipients=[csms[csm_id]],
                category=Category.DIGEST,
                template="checklists/email/checklist_csm_weekly",
                context={"items": items, "count": len(items)},
                url=reverse("home"),
            )
            for csm_id, items in by_csm.items()
        ],
        now=now,
    )
    return {}
