"""Action items (outcomes of kind "action"): who may own one, completing them, and their reminders.

Each open action item has one reminder row (kind ``governance.action_item``): the day before it is due, at
09:00 on its owner's clock, "due tomorrow"; from 09:00 the day after, "overdue", repeated every
``GOVERNANCE_ACTION_OVERDUE_REPEAT_DAYS`` on the owner's clock. Completing or dropping it ends the row. A client's
action item is reminded only once shared minutes have shown it to them.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User, zone_named
from engagements import policy
from engagements.models import EngagementMember, Side
from notifications.clock import at_local_hour
from notifications.models import Reminder, ReminderStatus
from notifications.services import NotifyRequest, notifications_withdraw, notify_many, reminder_schedule

from .. import permissions
from ..models import ActionItem, ActionStatus, Outcome
from .constants import ACTION_KIND, CATEGORY

DUE_TEMPLATE = "governance/email/action_item_due"
OVERDUE_TEMPLATE = "governance/email/action_item_overdue"
DONE_TEMPLATE = "governance/email/action_item_done"


def owner_choices(engagement, *, side: str):
    """Who may own an action item of ``side``: the engagement's team, or the client's active people."""
    if side == Side.CLIENT:
        return User.objects.filter(organization_id=engagement.client_id, is_active=True).order_by("full_name")
    team = Q(pk__in=[engagement.csm_id, engagement.pm_id, engagement.deputy_pm_id, engagement.account_executive_id])
    team |= Q(pk__in=EngagementMember.objects.filter(engagement=engagement).values("user_id"))
    return User.objects.filter(team, is_active=True).order_by("full_name")


def _key(action_item_pk: int) -> str:
    return f"governance-action:{action_item_pk}"


def _zone(user) -> ZoneInfo:
    """The owner's clock (``User.zone``, the one place it is looked up); without an owner, the server's."""
    return user.zone if user is not None else zone_named(None)


def recipient_of(action_item) -> User | None:
    """The owner; without one (or deactivated): the client's key user for a client item, else the meeting's owner."""
    if action_item.owner is not None and action_item.owner.is_active:
        return action_item.owner
    if action_item.owner_side == Side.CLIENT:
        return policy.key_user_of(action_item.meeting.engagement)
    owner = action_item.meeting.owner
    return owner if owner.is_active else action_item.meeting.engagement.csm


def action_item_reminder_sync(action_item: ActionItem, *, now: datetime) -> None:
    if not action_item.is_open:
        action_item_reminder_cancel(action_item, now=now)
        return
    zone = _zone(action_item.owner)
    due_soon = at_local_hour(action_item.due_on - timedelta(days=1), zone)
    overdue = at_local_hour(action_item.due_on + timedelta(days=1), zone)
    first = due_soon if now < due_soon else overdue
    reminder_schedule(
        key=_key(action_item.pk),
        kind=ACTION_KIND,
        due_at=max(first, now),
        target=action_item,
        payload={"due_on": action_item.due_on.isoformat()},
        now=now,
    )


def action_item_reminder_cancel(action_item: ActionItem, *, now: datetime) -> None:
    """The item is done, dropped or gone: its reminder row ends, and its "due"/"overdue" notices not read or sent
    yet are withdrawn (shown as no longer needed), so nobody is asked to act on what is finished."""
    Reminder.objects.filter(key=_key(action_item.pk), status=ReminderStatus.PENDING).update(
        status=ReminderStatus.CANCELLED, updated_at=now
    )
    notifications_withdraw(target=action_item, category=CATEGORY, now=now)


@transaction.atomic
def action_item_set_status(*, by, outcome: Outcome, status: str, now: datetime | None = None) -> Outcome:
    """Complete, drop or reopen an action item. A client completing theirs tells the meeting's owner."""
    now = now or timezone.now()
    # Any outcome may be asked for: one of another kind is refused by the permission, as before.
    action_item = (
        Outcome.objects.select_for_update(of=("self",))
        .select_related("meeting__engagement", "meeting__owner", "owner")
        .get(pk=outcome.pk)
    )
    if not permissions.may_update_action_item(by, action_item):
        raise PermissionDenied
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Choose open, done or dropped.")})
    if by.is_client_user and status == ActionStatus.DROPPED:
        raise ValidationError(_("Only the team can drop an action item."))
    if status == action_item.status:
        return action_item
    action_item.status = status
    action_item.completed_at = now if status == ActionStatus.DONE else None
    action_item.completed_by = by if status == ActionStatus.DONE else None
    action_item.save(update_fields=["status", "completed_at", "completed_by"])
    action_item_reminder_sync(action_item, now=now)
    if by.is_client_user and status == ActionStatus.DONE:
        meeting = action_item.meeting
        notify_many(
            [
                NotifyRequest(
                    event=f"governance.action_done:{action_item.pk}:{now.isoformat()}",
                    recipients=[u for u in (meeting.owner,) if u.is_active],
                    category=CATEGORY,
                    template=DONE_TEMPLATE,
                    context={"text": action_item.text, "by_name": str(by), "engagement_name": meeting.engagement.name},
                    target=meeting,
                    url=reverse("governance:meeting", args=[meeting.pk]),
                )
            ],
            now=now,
        )
    return action_item


def remind_action_items(reminders: list[Reminder], *, now: datetime) -> dict:
    ids = [int(r.target_id) for r in reminders if r.target_id]
    action_items = {
        o.pk: o
        for o in ActionItem.objects.filter(pk__in=ids).select_related(
            "owner", "meeting__owner", "meeting__engagement__csm"
        )
    }
    requests, result = [], {}
    for reminder in reminders:
        action_item = action_items.get(int(reminder.target_id or 0))
        if action_item is None or not action_item.is_open or action_item.due_on is None:
            result[reminder.pk] = None
            continue
        recipient = recipient_of(action_item)
        zone = _zone(action_item.owner)
        overdue_from = at_local_hour(action_item.due_on + timedelta(days=1), zone)
        overdue = now >= overdue_from
        client_cannot_see = action_item.owner_side == Side.CLIENT and action_item.published_at is None
        if recipient is not None and not client_cannot_see:
            local_day = now.astimezone(zone).date().isoformat()
            client = recipient.is_client_user
            requests.append(
                NotifyRequest(
                    event=f"governance.action_{'overdue' if overdue else 'due'}:{action_item.pk}:{local_day}",
                    recipients=[recipient],
                    category=CATEGORY,
                    template=OVERDUE_TEMPLATE if overdue else DUE_TEMPLATE,
                    context={
                        "text": action_item.text,
                        "due_on": action_item.due_on,
                        "engagement_name": action_item.meeting.engagement.name,
                        "days_overdue": (now.astimezone(zone).date() - action_item.due_on).days,
                    },
                    target=action_item,
                    url=reverse("portal:action_items")
                    if client
                    else reverse("governance:meeting", args=[action_item.meeting_id]),
                )
            )
        if not overdue:
            result[reminder.pk] = overdue_from
        else:
            every = timedelta(days=settings.GOVERNANCE_ACTION_OVERDUE_REPEAT_DAYS)
            wall = now.astimezone(zone).replace(tzinfo=None)
            next_day = (wall + every).date()
            result[reminder.pk] = at_local_hour(next_day, zone)
    notify_many(requests, now=now)
    return result
