"""A meeting's reminder row: invitation with the .ics, agenda prepared and its owner asked, participants reminded,
a meeting not held flagged missed and minutes not shared flagged late; each step once, however often it fires."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from icalendar import Calendar

from governance.models import MeetingStatus
from governance.services import agenda, lifecycle, minutes
from governance.services import series as schedule
from notifications.models import Channel, Notification, Reminder, ReminderStatus
from notifications.services import notification_relay, reminder_sweep

from .factories import MONDAY as NOW

pytestmark = pytest.mark.django_db


def sweep(at):
    reminder_sweep(now=at, time_budget=30)


def notes(template, meeting=None):
    rows = Notification.objects.filter(template=template, channel=Channel.EMAIL)
    if meeting is not None:
        rows = rows.filter(target_id=str(meeting.pk))
    return rows


def test_each_step_happens_once_at_its_time(weekly, pm, client_key_user, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    first = weekly[0]  # Tuesday 3 Mar, 10:00 Berlin (09:00 UTC)
    sweep(NOW)
    invited = {n.recipient for n in notes(lifecycle.INVITATION_TEMPLATE, first)}
    # The PM organizes it: she sends the invitation rather than receives it.
    assert client_key_user in invited and pm not in invited
    # The invitation carries the meeting as METHOD:REQUEST, for calendar programs.
    notification_relay(now=NOW, time_budget=30)
    row = notes(lifecycle.INVITATION_TEMPLATE, first).get(recipient=client_key_user)
    invitation = next(m for m in mail.outbox if m.extra_headers["Message-ID"] == row.message_id)
    name, content, mimetype = invitation.attachments[0]
    assert (name, mimetype.split(";")[0]) == ("meeting.ics", "text/calendar")
    parsed = Calendar.from_ical(content)
    assert parsed["METHOD"] == "REQUEST"
    event = parsed.walk("VEVENT")[0]
    assert event["UID"].startswith(str(first.uid))
    assert event.decoded("DTSTART") == first.starts_at
    assert "kasia@acme.example" in [str(a).lower().removeprefix("mailto:") for a in event.get("ATTENDEE")]

    # 24 hours before: the agenda is prepared and its owner asked to look; nobody else.
    day_before = first.starts_at - timedelta(hours=24)
    sweep(day_before)
    first.refresh_from_db()
    assert first.agenda_prepared_at == day_before
    assert first.agenda_items.filter(parent=None).count() == 6
    assert [n.recipient for n in notes(lifecycle.AGENDA_TEMPLATE, first)] == [pm]
    # Two hours before: the participants are reminded.
    sweep(first.starts_at - timedelta(hours=2))
    reminded = {n.recipient for n in notes(lifecycle.SOON_TEMPLATE, first)}
    assert client_key_user in reminded and pm in reminded
    # Sweeping again at any of those times repeats nothing.
    of_first = Notification.objects.filter(target_id=str(first.pk))
    before = of_first.count()
    for at in (NOW, day_before, first.starts_at - timedelta(hours=1)):
        sweep(at)
    assert of_first.count() == before


def test_a_meeting_nobody_held_is_missed_and_its_minutes_late(weekly, pm, csm):
    first = weekly[0]
    # End of the second working day after Tuesday 3 Mar: Thursday 5 Mar, midnight Berlin (23:00 UTC).
    due = datetime(2026, 3, 5, 23, 0, tzinfo=UTC)
    assert lifecycle.minutes_due_at(first, first.series) == due
    sweep(due - timedelta(minutes=1))
    first.refresh_from_db()
    assert first.status == MeetingStatus.SCHEDULED
    sweep(due)
    first.refresh_from_db()
    assert first.status == MeetingStatus.MISSED
    assert first.minutes_late_at == due
    assert {n.recipient for n in notes(lifecycle.MISSED_TEMPLATE, first)} == {pm, csm}
    # A missed meeting is not told twice as "minutes late" too; and nothing more is due for it.
    assert not notes(lifecycle.MINUTES_LATE_TEMPLATE, first).exists()
    assert Reminder.objects.get(key=lifecycle.reminder_key(first.pk)).status == ReminderStatus.DONE


def test_a_held_meeting_without_minutes_is_flagged_late_once(weekly, pm, csm):
    first = weekly[0]
    agenda.meeting_mark_held(by=pm, meeting=first, now=first.starts_at + timedelta(minutes=40))
    due = lifecycle.minutes_due_at(first, first.series)
    sweep(due)
    sweep(due + timedelta(days=1))
    first.refresh_from_db()
    assert (first.status, first.minutes_late_at) == (MeetingStatus.HELD, due)
    assert sorted(n.recipient.pk for n in notes(lifecycle.MINUTES_LATE_TEMPLATE, first)) == sorted([pm.pk, csm.pk])


def test_minutes_shared_in_time_leave_nothing_to_flag(weekly, pm):
    first = weekly[0]
    agenda.agenda_prepare(meeting=first, by=pm, now=first.starts_at - timedelta(hours=1))
    minutes.minutes_publish(by=pm, meeting=first, now=first.starts_at + timedelta(hours=2))
    first.refresh_from_db()
    assert first.status == MeetingStatus.HELD
    sweep(lifecycle.minutes_due_at(first, first.series) + timedelta(days=3))
    first.refresh_from_db()
    assert first.minutes_late_at is None and first.status == MeetingStatus.HELD


def test_a_cancelled_meeting_is_neither_reminded_nor_flagged(weekly, pm):
    first = weekly[0]
    schedule.meeting_cancel(by=pm, meeting=first, reason="Holiday", now=NOW)
    sweep(first.ends_at + timedelta(days=7))
    first.refresh_from_db()
    assert first.status == MeetingStatus.CANCELLED and first.minutes_late_at is None
    assert not notes(lifecycle.SOON_TEMPLATE, first).exists()


def test_an_invitation_queued_before_a_cancellation_is_not_sent(weekly, pm, client_key_user, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    first = weekly[0]
    sweep(NOW)
    schedule.meeting_cancel(by=pm, meeting=first, reason="Holiday", now=NOW)
    notification_relay(now=NOW, time_budget=30)
    invitation = notes(lifecycle.INVITATION_TEMPLATE, first).get(recipient=client_key_user)
    invitation.refresh_from_db()
    assert invitation.status == "cancelled"  # obsolete when it was to leave
    assert invitation.message_id not in {m.extra_headers["Message-ID"] for m in mail.outbox}
    row = notes(lifecycle.CANCELLATION_TEMPLATE, first).get(recipient=client_key_user)
    cancellation = next(m for m in mail.outbox if m.extra_headers["Message-ID"] == row.message_id)
    parsed = Calendar.from_ical(cancellation.attachments[0][1])
    assert parsed["METHOD"] == "CANCEL"
    assert parsed.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    assert parsed.walk("VEVENT")[0]["SEQUENCE"] == 1


def test_a_closed_engagements_meetings_are_neither_reminded_nor_flagged(weekly, mapped_engagement):
    mapped_engagement.phase = "closed"
    mapped_engagement.save()
    first = weekly[0]
    sweep(lifecycle.minutes_due_at(first, first.series) + timedelta(days=1))
    first.refresh_from_db()
    assert first.status == MeetingStatus.SCHEDULED and first.invited_sequence is None
    assert not Notification.objects.filter(target_id=str(first.pk)).exists()


def test_one_invitation_notice_per_series_and_an_email_per_meeting(weekly, pm, client_key_user):
    # Three weekly meetings reach their invitation time: three emails (each with its calendar file), one notice.
    sweep(weekly[2].starts_at - timedelta(days=1))
    emails = notes(lifecycle.INVITATION_TEMPLATE).filter(recipient=client_key_user)
    assert emails.count() >= 3 and len({n.target_id for n in emails}) == emails.count()
    in_app = Notification.objects.filter(
        template=lifecycle.INVITATION_TEMPLATE, channel=Channel.IN_APP, recipient=client_key_user
    )
    assert in_app.count() == 1
    assert in_app.get().subject.startswith("Invitation to the series: Weekly status meeting")


def test_nobody_is_told_of_their_own_change(weekly, pm, deputy_pm, client_key_user):
    from governance.models import SeriesParticipant

    first = weekly[0]
    assert SeriesParticipant.objects.filter(series=first.series, user=deputy_pm).exists()
    sweep(NOW)
    schedule.meeting_move(
        by=deputy_pm, meeting=first, starts_at=first.starts_at + timedelta(hours=2), reason="Clash", now=NOW
    )
    updates = Notification.objects.filter(template=lifecycle.INVITATION_TEMPLATE, event__endswith=":1")
    told = {n.recipient for n in updates}
    assert client_key_user in told and deputy_pm not in told
    schedule.meeting_cancel(by=deputy_pm, meeting=first, reason="Holiday", now=NOW)
    cancelled = {n.recipient for n in Notification.objects.filter(template=lifecycle.CANCELLATION_TEMPLATE)}
    assert client_key_user in cancelled and deputy_pm not in cancelled


def test_a_series_edit_is_one_notice_however_many_meetings_move(weekly, pm, client_key_user):
    sweep(weekly[2].starts_at - timedelta(days=1))
    before = Notification.objects.filter(channel=Channel.IN_APP, recipient=client_key_user).count()
    schedule.series_update(
        by=pm, series=weekly[0].series, start_time=weekly[0].series.start_time.replace(hour=11), now=NOW
    )
    after = Notification.objects.filter(channel=Channel.IN_APP, recipient=client_key_user).count()
    assert after - before == 1
    updates = Notification.objects.filter(
        template=lifecycle.INVITATION_TEMPLATE,
        channel=Channel.EMAIL,
        recipient=client_key_user,
        context__is_update=True,
    )
    assert updates.count() >= 3
