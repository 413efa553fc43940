"""Checklist reminders (checklists/reminders.py) on the reminders engine, through the checklist services."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.tests.factories import StaffAbsenceFactory
from checklists import reminders
from checklists import services as checklist_services
from engagements.models import Side
from engagements.tests.factories import StakeholderFactory
from notifications.models import Channel, Notification, Reminder, ReminderStatus
from notifications.services import reminder_sweep

from .factories import ChecklistStageFactory

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DUE = date(2026, 11, 30)


@pytest.fixture
def stage(engagement):
    return ChecklistStageFactory(engagement=engagement, title="Kickoff")


def _create(stage, by, now=NOW, **kw):
    kw.setdefault("due_on", DUE)
    return checklist_services.item_create(by=by, stage=stage, title=kw.pop("title", "Signed DPA"), now=now, **kw)


def _emails(**filters):
    return Notification.objects.filter(channel=Channel.EMAIL, **filters)


def test_creating_an_item_schedules_due_soon_and_overdue(stage, csm, team_member, settings):
    team_member.time_zone = "Europe/Warsaw"
    team_member.save()
    item = _create(stage, csm, assignee=team_member)
    due_soon = Reminder.objects.get(key=f"checklist-item:{item.pk}:due-soon")
    overdue = Reminder.objects.get(key=f"checklist-item:{item.pk}:overdue")
    # 09:00 in Warsaw (UTC+1 in November) = 08:00 UTC; due soon 48 h before, overdue the morning after.
    assert due_soon.due_at == datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    assert overdue.due_at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert overdue.repeat_every == settings.CHECKLIST_OVERDUE_REPEAT


def test_the_assignee_is_reminded_once_when_due_soon_with_a_link_to_the_item(stage, csm, team_member):
    item = _create(stage, csm, assignee=team_member)
    at = Reminder.objects.get(key=f"checklist-item:{item.pk}:due-soon").due_at
    assert reminder_sweep(now=at - timedelta(minutes=1)) == 0
    assert reminder_sweep(now=at) == 1
    assert reminder_sweep(now=at + timedelta(hours=1)) == 0
    (email,) = _emails()
    assert email.recipient == team_member and "Signed DPA" in email.subject
    assert email.url == reverse("checklists:item", args=[item.pk])


def test_overdue_repeats_at_its_interval_not_every_sweep(stage, csm, team_member, settings):
    item = _create(stage, csm, assignee=team_member)
    first = Reminder.objects.get(key=f"checklist-item:{item.pk}:overdue").due_at
    reminder_sweep(now=first)
    for hours in (1, 24, 48):
        reminder_sweep(now=first + timedelta(hours=hours))
    assert _emails(event__startswith="checklist.overdue").count() == 1
    reminder_sweep(now=first + settings.CHECKLIST_OVERDUE_REPEAT)
    assert _emails(event__startswith="checklist.overdue").count() == 2


def test_completing_the_item_cancels_its_reminders(stage, csm, team_member):
    item = _create(stage, csm, assignee=team_member)
    checklist_services.item_complete(by=csm, item=item, now=NOW)
    assert set(Reminder.objects.filter(key__startswith="checklist-item:").values_list("status", flat=True)) == {
        ReminderStatus.CANCELLED
    }
    reminder_sweep(now=NOW + timedelta(days=30))
    assert not _emails().exists()


def test_a_deleted_item_ends_its_reminder_silently(stage, csm):
    item = _create(stage, csm)
    key = f"checklist-item:{item.pk}:due-soon"
    checklist_services.item_delete(by=csm, item=item, now=NOW)
    reminder_sweep(now=NOW + timedelta(days=30))
    assert Reminder.objects.get(key=key).status == ReminderStatus.DONE
    assert not _emails().exists()


def test_re_dating_moves_the_reminders(stage, csm, team_member):
    item = _create(stage, csm, assignee=team_member)
    checklist_services.item_update(by=csm, item=item, due_on=DUE + timedelta(days=10), now=NOW)
    overdue = Reminder.objects.get(key=f"checklist-item:{item.pk}:overdue")
    assert overdue.due_at.date() == DUE + timedelta(days=11)
    # Nothing fires at the old times.
    reminder_sweep(now=datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    assert not _emails().exists()


def test_an_item_created_already_overdue_is_reminded_at_the_next_sweep(stage, csm, team_member):
    _create(stage, csm, assignee=team_member, due_on=NOW.date() - timedelta(days=3))
    assert not Reminder.objects.filter(kind=reminders.DUE_SOON_KIND, status=ReminderStatus.PENDING).exists()
    reminder_sweep(now=NOW)
    assert _emails(event__startswith="checklist.overdue").count() == 1


def test_unassigned_vendor_items_go_to_the_csm_and_client_items_to_the_key_user(
    stage, csm, engagement, client_key_user, client_member
):
    StakeholderFactory(engagement=engagement, user=client_member, key_user=True)
    _create(stage, csm, title="Vendor task")
    _create(stage, csm, title="Client task", owner_side=Side.CLIENT)
    reminder_sweep(now=datetime(2026, 11, 29, 0, 0, tzinfo=UTC))
    assert {(e.recipient, e.subject.split(":")[1].split("(")[0].strip()) for e in _emails()} == {
        (csm, "Vendor task"),
        (client_member, "Client task"),  # the engagement's key user stakeholder wins over the role
    }
    client_email = _emails(recipient=client_member).get()
    assert client_email.url == reverse("portal:item", args=[client_email.target_id])


def test_pm_bound_reminders_go_to_the_deputy_while_the_pm_is_away(stage, csm, pm, deputy_pm):
    StaffAbsenceFactory(user=pm, starts_on=date(2026, 11, 27), ends_on=date(2026, 12, 5))
    _create(stage, csm, assignee=pm)
    reminder_sweep(now=datetime(2026, 11, 29, 0, 0, tzinfo=UTC))
    assert _emails().get().recipient == deputy_pm


@pytest.mark.parametrize("count", [3, 30])
def test_a_sweep_of_due_items_has_constant_queries(stage, csm, team_member, count, django_assert_max_num_queries):
    for n in range(count):
        _create(stage, csm, title=f"Item {n}", assignee=team_member)
    with django_assert_max_num_queries(20):
        assert reminder_sweep(now=datetime(2026, 11, 29, 0, 0, tzinfo=UTC)) == count
    assert _emails().count() == count


def test_weekly_digest_lists_each_csms_overdue_items_once_a_week(
    stage, csm, other_csm, other_engagement, team_member, shipped_reminders
):
    _create(stage, csm, title="Overdue here", due_on=date(2026, 11, 20))
    _create(stage, csm, title="Not yet due", due_on=date(2026, 12, 20))
    other_stage = ChecklistStageFactory(engagement=other_engagement)
    _create(other_stage, other_csm, title="Overdue there", due_on=date(2026, 11, 19))
    weekly = Reminder.objects.get(key=reminders.WEEKLY_KEY)
    assert weekly.repeat_every == timedelta(days=7) and weekly.due_at.weekday() == 0
    Reminder.objects.filter(pk=weekly.pk).update(due_at=NOW)
    reminder_sweep(now=NOW)
    digests = {e.recipient: e for e in _emails(event__startswith="checklist.csm_weekly")}
    assert set(digests) == {csm, other_csm}
    assert [i["title"] for i in digests[csm].context["items"]] == ["Overdue here"]
    assert [i["title"] for i in digests[other_csm].context["items"]] == ["Overdue there"]
    # The same week again (a re-run) sends nothing more; next week's tick comes 7 days on.
    assert Reminder.objects.get(pk=weekly.pk).due_at == NOW + timedelta(days=7)
    Reminder.objects.filter(pk=weekly.pk).update(due_at=NOW + timedelta(hours=1))
    reminder_sweep(now=NOW + timedelta(hours=1))
    assert _emails(event__startswith="checklist.csm_weekly").count() == 2


def test_syncing_an_item_costs_a_few_queries(stage, csm, team_member, django_assert_max_num_queries):
    item = _create(stage, csm, assignee=team_member)
    item.due_on = DUE + timedelta(days=1)
    # One SELECT of its reminders and one write each; templates create dozens of items at once.
    with django_assert_max_num_queries(3):
        reminders.item_reminders_sync(item, now=NOW)
    assert Reminder.objects.get(key=f"checklist-item:{item.pk}:overdue").payload == {"due_on": "2026-12-01"}
