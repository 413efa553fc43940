"""Notices about finished work are withdrawn (issue 10): an action item done or dropped, a promise kept or dropped,
and their "due", "overdue" and "broken" notices not read or sent yet are marked no longer needed, never left "New"."""

from datetime import UTC, date, datetime, timedelta

import pytest

from engagements.models import PromiseStatus
from engagements.services import promise_close, promise_notices, promise_record
from governance.services import actions, agenda, lifecycle
from notifications.models import Channel, Notification, Reminder, Status
from notifications.services import GENERIC_TEMPLATE, notify, reminder_sweep

from .factories import MONDAY as NOW

pytestmark = pytest.mark.django_db


def _unread(user):
    return Notification.objects.visible_to(user).unread()


@pytest.mark.parametrize("status", ["done", "dropped"])
def test_an_action_item_done_or_dropped_withdraws_its_reminders(weekly, pm, status):
    item = agenda.agenda_item_add(by=pm, meeting=weekly[0], title="Plan", now=NOW)
    action = agenda.outcome_add(
        by=pm,
        item=item,
        kind="action",
        text="Fix the export",
        owner=pm,
        owner_side="vendor",
        due_on=date(2026, 3, 10),
        now=NOW,
    )
    notify(
        event="about-the-meeting",
        recipients=[pm],
        category=lifecycle.CATEGORY,
        template=GENERIC_TEMPLATE,
        context={"title": "The room changed"},
        target=weekly[0],
        url="/",
        channels=(Channel.IN_APP,),
    )
    reminder = Reminder.objects.get(key=f"governance-action:{action.pk}")
    reminder_sweep(now=reminder.due_at, time_budget=30)
    due = Notification.objects.filter(template=actions.DUE_TEMPLATE, recipient=pm)
    assert {n.channel for n in due} == {Channel.IN_APP, Channel.EMAIL}
    assert _unread(pm).filter(template=actions.DUE_TEMPLATE).exists()
    actions.action_item_set_status(by=pm, outcome=action, status=status, now=reminder.due_at + timedelta(hours=1))
    assert not _unread(pm).filter(template=actions.DUE_TEMPLATE).exists()
    assert set(due.values_list("status", flat=True)) <= {Status.CANCELLED, Status.SENT}
    # A notice about the meeting itself is no notice about the action item: it stays.
    assert _unread(pm).filter(event="about-the-meeting").exists()


def test_a_promise_kept_late_withdraws_its_unread_broken_notice(weekly, pm, mapped_engagement):
    friday_noon = datetime(2026, 3, 6, 11, 0, tzinfo=UTC)
    promise = promise_record(
        by=pm,
        engagement=mapped_engagement,
        owner=pm,
        description="We will send an update by Friday 12:00",
        due_at=friday_noon,
        now=NOW,
    )
    assert promise_notices.promises_mark_broken(now=friday_noon + timedelta(hours=1)) == 1
    broken = _unread(pm).filter(template=promise_notices.BROKEN_TEMPLATE)
    assert broken.exists()
    promise_close(by=pm, promise=promise, status=PromiseStatus.KEPT, now=friday_noon + timedelta(hours=2))
    assert not broken.exists()
    assert Notification.objects.filter(
        template=promise_notices.BROKEN_TEMPLATE, channel=Channel.IN_APP
    ).first().status == (Status.CANCELLED)


def test_a_promise_open_again_keeps_what_was_sent(weekly, pm, mapped_engagement):
    friday_noon = datetime(2026, 3, 6, 11, 0, tzinfo=UTC)
    promise = promise_record(
        by=pm, engagement=mapped_engagement, owner=pm, description="Update by Friday", due_at=friday_noon, now=NOW
    )
    reminder_sweep(now=friday_noon - timedelta(hours=24), time_budget=30)
    Notification.objects.filter(template=promise_notices.DUE_TEMPLATE).update(read_at=NOW)
    promise_close(by=pm, promise=promise, status=PromiseStatus.KEPT, now=friday_noon - timedelta(hours=2))
    assert Notification.objects.filter(template=promise_notices.DUE_TEMPLATE, channel=Channel.IN_APP).get().status != (
        Status.CANCELLED
    )
