"""Checklist reminder edge cases: DST, the recipient's own day, closed engagements, deactivated assignees."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from accounts.tests.factories import StaffAbsenceFactory
from checklists import reminders
from checklists import services as checklist_services
from engagements.models import Engagement, Phase
from notifications import services
from notifications.models import Channel, Notification, Reminder, ReminderStatus
from notifications.services import GENERIC_TEMPLATE, notify, reminder_sweep

from .factories import ChecklistStageFactory

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")


@pytest.fixture
def stage(engagement):
    return ChecklistStageFactory(engagement=engagement, title="Kickoff")


def _create(stage, by, *, due_on, now, **kw):
    return checklist_services.item_create(
        by=by, stage=stage, title=kw.pop("title", "Signed DPA"), due_on=due_on, now=now, **kw
    )


def _emails(**filters):
    return Notification.objects.filter(channel=Channel.EMAIL, **filters)


def _in_zone(user, zone):
    user.time_zone = zone
    user.save(update_fields=["time_zone"])


def test_due_soon_is_at_nine_local_across_a_dst_change(stage, csm, team_member):
    _in_zone(team_member, "Europe/Warsaw")
    # Due Monday 26 October 2026; summer time ends on Sunday the 25th. 48 hours before is Saturday the 24th,
    # 09:00 CEST (07:00 UTC), not 09:00 CET minus 48 hours (10:00 CEST).
    item = _create(stage, csm, assignee=team_member, due_on=date(2026, 10, 26), now=datetime(2026, 10, 1, tzinfo=UTC))
    due_soon = Reminder.objects.get(key=f"checklist-item:{item.pk}:due-soon")
    assert due_soon.due_at == datetime(2026, 10, 24, 7, 0, tzinfo=UTC)


def test_overdue_repeats_at_nine_local_across_a_dst_change(stage, csm, team_member, settings):
    settings.CHECKLIST_OVERDUE_REPEAT = timedelta(hours=72)
    _in_zone(team_member, "Europe/Warsaw")
    item = _create(stage, csm, assignee=team_member, due_on=date(2026, 10, 21), now=datetime(2026, 10, 1, tzinfo=UTC))
    key = f"checklist-item:{item.pk}:overdue"
    first = Reminder.objects.get(key=key).due_at
    assert first == datetime(2026, 10, 22, 7, 0, tzinfo=UTC)  # 09:00 CEST
    reminder_sweep(now=first)
    # Three days on is Sunday the 25th, after the change: 09:00 CET is 08:00 UTC.
    assert Reminder.objects.get(key=key).due_at == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)


def test_days_overdue_count_in_the_recipients_own_day(stage, csm, team_member):
    _in_zone(team_member, "Pacific/Auckland")
    item = _create(stage, csm, assignee=team_member, due_on=date(2026, 11, 30), now=datetime(2026, 11, 1, tzinfo=UTC))
    overdue_at = Reminder.objects.get(key=f"checklist-item:{item.pk}:overdue").due_at
    # 09:00 on 1 December in Auckland is still 30 November in UTC; in Auckland the item is one day late.
    assert overdue_at == datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    reminder_sweep(now=overdue_at)
    email = _emails(event__startswith="checklist.overdue").get()
    assert email.context["days_overdue"] == 1
    assert "Overdue by 1 day:" in email.subject


def test_items_of_a_closed_engagement_are_not_reminded(stage, csm, team_member, engagement):
    item = _create(stage, csm, assignee=team_member, due_on=date(2026, 11, 30), now=datetime(2026, 11, 1, tzinfo=UTC))
    Engagement.objects.filter(pk=engagement.pk).update(phase=Phase.CLOSED)
    reminder_sweep(now=datetime(2026, 12, 20, tzinfo=UTC))
    assert not _emails().exists()
    assert set(
        Reminder.objects.filter(key__startswith=f"checklist-item:{item.pk}:").values_list("status", flat=True)
    ) == {ReminderStatus.DONE}


def test_an_item_of_a_deactivated_assignee_is_reminded_to_the_csm(stage, csm, team_member):
    _create(stage, csm, assignee=team_member, due_on=date(2026, 11, 30), now=datetime(2026, 11, 1, tzinfo=UTC))
    team_member.is_active = False
    team_member.save(update_fields=["is_active"])
    reminder_sweep(now=datetime(2026, 11, 29, tzinfo=UTC))
    assert _emails().get().recipient == csm


def test_a_hostile_item_title_is_escaped_once_in_html_mail_and_kept_as_is_in_text(stage, csm, team_member, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    title = "<script>alert(1)</script> & Co"
    now = datetime(2026, 11, 29, tzinfo=UTC)
    _create(stage, csm, assignee=team_member, title=title, due_on=date(2026, 11, 30), now=now - timedelta(days=20))
    reminder_sweep(now=now)
    assert services.notification_relay(now=now) == 1
    (message,) = mail.outbox
    ((html, _mimetype),) = message.alternatives
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html and "<script>" not in html
    assert title in message.body and "&lt;" not in message.body and "&amp;" not in message.body
    assert title in message.subject


def test_a_newline_in_a_title_cannot_inject_a_mail_header(csm, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notify(
        event="item.injected:1",
        recipients=[csm],
        category=reminders.CHECKLIST_CATEGORY,
        template=GENERIC_TEMPLATE,
        context={"title": "Signed DPA\r\nBcc: victim@example.com\nX-Evil: 1"},
    )
    assert services.notification_relay() == 1
    (message,) = mail.outbox
    headers = message.message()
    assert headers["Bcc"] is None and headers["X-Evil"] is None
    assert message.subject == "Signed DPA Bcc: victim@example.com X-Evil: 1"


def test_a_pm_bound_reminder_skips_a_deactivated_deputy_and_goes_to_the_csm(stage, csm, pm, deputy_pm):
    StaffAbsenceFactory(user=pm, starts_on=date(2026, 11, 27), ends_on=date(2026, 12, 5))
    deputy_pm.is_active = False
    deputy_pm.save(update_fields=["is_active"])
    _create(stage, csm, assignee=pm, due_on=date(2026, 11, 30), now=datetime(2026, 11, 1, tzinfo=UTC))
    reminder_sweep(now=datetime(2026, 11, 29, tzinfo=UTC))
    assert _emails().get().recipient == csm


def test_the_weekly_csm_digest_shows_dates_like_every_other_mail(stage, csm, settings, shipped_reminders):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    now = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    _create(stage, csm, title="Overdue here", due_on=date(2026, 11, 20), now=now - timedelta(days=10))
    Reminder.objects.filter(key=reminders.WEEKLY_KEY).update(due_at=now)
    reminder_sweep(now=now)
    Notification.objects.filter(channel=Channel.EMAIL).exclude(event__startswith="checklist.csm_weekly").delete()
    assert services.notification_relay(now=now) == 1
    (message,) = mail.outbox
    ((html, _mimetype),) = message.alternatives
    # Stored as JSON inside a list, the dates came back as ISO strings ("2026-11-20").
    assert "due 20 Nov 2026, 3 days overdue" in message.body
    assert "20 Nov 2026" in html and "2026-11-20" not in html


def test_an_overdue_repeat_shorter_than_a_day_is_still_sent(stage, csm, team_member, settings):
    settings.CHECKLIST_OVERDUE_REPEAT = timedelta(hours=12)
    item = _create(stage, csm, assignee=team_member, due_on=date(2026, 11, 30), now=datetime(2026, 11, 1, tzinfo=UTC))
    first = Reminder.objects.get(key=f"checklist-item:{item.pk}:overdue").due_at
    reminder_sweep(now=first)
    reminder_sweep(now=first + timedelta(hours=12))  # the same UTC day
    assert _emails(event__startswith="checklist.overdue").count() == 2
