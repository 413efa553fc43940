"""Applying cadences, generating meetings for the horizon, editing a series, moving and cancelling meetings."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from engagements.tests.factories import ClientProfileFactory, HandoffFactory
from governance.models import CadenceTemplate, Meeting, MeetingSeries, MeetingStatus
from governance.services import lifecycle, plan
from governance.services import series as schedule
from notifications.models import Notification, Reminder, ReminderStatus

from .factories import CadenceTemplateFactory, MeetingSeriesFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
# A Monday morning in Berlin, before summer time starts (29 Mar 2026).
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DEFAULT = ["weekly-status", "steering", "executive-review-6w", "kickoff", "handoff"]


def apply(engagement, by, keys=DEFAULT, language="en", now=NOW, starts_on=date(2026, 3, 3)):
    return plan.plan_apply(
        by=by,
        engagement=engagement,
        cadence_keys=keys,
        time_zone="Europe/Berlin",
        language=language,
        starts_on=starts_on,
        now=now,
    )


def test_the_default_plan_makes_series_with_participants_and_twelve_weeks_of_meetings(
    cadences, mapped_engagement, pm, csm, deputy_pm, director, executive
):
    result = apply(mapped_engagement, pm)
    names = sorted(s.name for s in result.created)
    assert names == ["Executive review (every 6 weeks)", "Steering meeting", "Weekly status meeting"]
    # Kickoff and handoff meeting have no date yet: said, not guessed.
    assert len(result.skipped) == 2 and all("not scheduled" in note for note in result.skipped)
    weekly = MeetingSeries.objects.get(engagement=mapped_engagement, cadence_key="weekly-status")
    assert {p.user for p in weekly.participants.all() if p.user} == {
        pm,
        deputy_pm,
        mapped_engagement.stakeholders.get(is_key_user=True).user,
    }
    steering = MeetingSeries.objects.get(cadence_key="steering")
    assert {p.name for p in steering.participants.filter(side="client")} == {"Kasia Key", "Dirk Director"}
    review = MeetingSeries.objects.get(cadence_key="executive-review-6w")
    assert {p.user for p in review.participants.filter(side="vendor")} == {csm, director, executive}
    assert {p.name for p in review.participants.filter(side="client")} == {"Dirk Director", "Sofia Sponsor"}
    # Weekly on Tuesdays 10:00 Berlin from 3 Mar: 12 weeks ahead of 2 Mar reach 25 May.
    weekly_starts = list(weekly.meetings.values_list("starts_at", flat=True))
    assert len(weekly_starts) == 12
    assert weekly_starts[0] == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    assert weekly_starts[4] == datetime(2026, 3, 31, 8, 0, tzinfo=UTC)  # summer time: still 10:00 in Berlin
    assert {at.astimezone(BERLIN).time() for at in weekly_starts} == {time(10, 0)}
    assert steering.meetings.count() == 6
    assert review.meetings.count() == 2
    # The agenda of each series is a copy of its cadence's.
    assert [s.live_source for s in weekly.sections.all()][1:5] == [
        "carried_over",
        "overdue_items",
        "awaiting_acceptance",
        "commitments",
    ]
    # One reminder row per meeting, due at its first step (the invitation, four weeks before).
    first = weekly.meetings.first()
    reminder = Reminder.objects.get(key=lifecycle.reminder_key(first.pk))
    assert reminder.due_at == NOW  # the invitation of a meeting within 4 weeks goes now
    assert Reminder.objects.filter(kind=lifecycle.MEETING_KIND).count() == 20


def test_applying_again_adds_only_what_is_new(cadences, mapped_engagement, pm):
    apply(mapped_engagement, pm, keys=["weekly-status"])
    result = apply(mapped_engagement, pm, keys=["weekly-status", "steering"])
    assert [s.cadence_key for s in result.created] == ["steering"]
    assert "already in the plan" in result.skipped[0]
    assert MeetingSeries.objects.filter(cadence_key="weekly-status").count() == 1


def test_one_executive_rhythm_at_a_time(cadences, mapped_engagement, pm):
    with pytest.raises(ValidationError, match="one rhythm"):
        apply(mapped_engagement, pm, keys=["executive-review-6w", "executive-review-yearly"])
    apply(mapped_engagement, pm, keys=["executive-review-yearly"])
    result = apply(mapped_engagement, pm, keys=["executive-review-6w"])
    assert result.created == [] and "already" in result.skipped[0]
    yearly = MeetingSeries.objects.get(cadence_key="executive-review-yearly")
    # Yearly on the second Wednesday of the start month (March 2026): 11 Mar 2026, 15:00 Berlin.
    assert [m.starts_at for m in yearly.meetings.all()] == [datetime(2026, 3, 11, 14, 0, tzinfo=UTC)]


def test_kickoff_and_handoff_meetings_are_tied_to_their_dates(cadences, mapped_engagement, pm):
    mapped_engagement.kickoff_on = date(2026, 3, 9)
    mapped_engagement.save()
    HandoffFactory(engagement=mapped_engagement, meeting_on=date(2026, 3, 4))
    apply(mapped_engagement, pm, keys=["kickoff", "handoff"])
    kickoff = Meeting.objects.get(series__cadence_key="kickoff")
    handoff = Meeting.objects.get(series__cadence_key="handoff")
    assert kickoff.starts_at == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    assert (handoff.starts_at, handoff.is_internal) == (datetime(2026, 3, 4, 9, 0, tzinfo=UTC), True)
    # Vendor-internal: nobody from the client takes part.
    assert not handoff.series.participants.filter(side="client").exists()


def test_the_plan_is_in_the_clients_language(cadences, mapped_engagement, pm):
    apply(mapped_engagement, pm, keys=["weekly-status"], language="de")
    series = MeetingSeries.objects.get()
    assert series.name == "Wöchentliche Statusbesprechung"
    assert series.sections.first().title == "Fortschritt seit der letzten Besprechung"


def test_the_plan_defaults_to_the_clients_content_language(cadences, mapped_engagement, pm):
    # The client's language, not the key user's own UI language.
    assert plan.default_language(mapped_engagement) == "en"
    ClientProfileFactory(organization=mapped_engagement.client, language="pl")
    assert plan.default_language(mapped_engagement) == "pl"
    apply(mapped_engagement, pm, keys=["weekly-status"], language=plan.default_language(mapped_engagement))
    weekly = MeetingSeries.objects.get(name="Cotygodniowe spotkanie statusowe")
    assert [s.title for s in weekly.sections.order_by("position")][:2] == [
        "Postęp od ostatniego spotkania",
        "Otwarte zadania do wykonania",
    ]


def test_every_default_cadence_has_its_agenda_in_polish(cadences):
    for english in CadenceTemplate.objects.filter(language="en"):
        polish = CadenceTemplate.objects.get(key=english.key, language="pl")
        assert polish.name != english.name
        assert [s.live_source for s in polish.sections.all()] == [s.live_source for s in english.sections.all()]


def test_a_cadence_missing_in_a_language_falls_back_to_english(cadences, mapped_engagement, pm):
    CadenceTemplateFactory(key="retro", language="en", name="Retrospective", frequency="monthly", week_of_month=1)
    apply(mapped_engagement, pm, keys=["retro"], language="de")
    assert MeetingSeries.objects.get().name == "Retrospective"
    assert CadenceTemplate.objects.filter(key="retro").count() == 1


def test_only_those_who_manage_the_engagement_apply_a_plan(cadences, mapped_engagement, team_member, other_csm):
    for person in (team_member, other_csm):
        with pytest.raises(PermissionDenied):
            apply(mapped_engagement, person)
    assert not MeetingSeries.objects.exists()


def test_an_unknown_cadence_or_zone_changes_nothing(cadences, mapped_engagement, pm):
    with pytest.raises(ValidationError):
        apply(mapped_engagement, pm, keys=["no-such-cadence"])
    with pytest.raises(ValidationError):
        plan.plan_apply(
            by=pm,
            engagement=mapped_engagement,
            cadence_keys=["weekly-status"],
            time_zone="Mars/Olympus",
            language="en",
            starts_on=date(2026, 3, 3),
            now=NOW,
        )
    assert not MeetingSeries.objects.exists()


def test_the_tick_tops_the_horizon_up_once(cadences, mapped_engagement, pm):
    apply(mapped_engagement, pm, keys=["weekly-status"])
    series = MeetingSeries.objects.get()
    assert plan.meetings_top_up(now=NOW) == 0
    later = NOW + timedelta(days=14)
    assert plan.meetings_top_up(now=later) == 2
    assert plan.meetings_top_up(now=later) == 0
    assert series.meetings.count() == 14
    assert series.meetings.last().starts_at == datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
    series.refresh_from_db()
    assert series.generated_until == date(2026, 6, 8)


def test_an_ended_series_or_a_closed_engagement_gets_no_more_meetings(cadences, mapped_engagement, pm):
    apply(mapped_engagement, pm, keys=["weekly-status"])
    series = MeetingSeries.objects.get()
    schedule.series_end(by=pm, series=series, now=NOW + timedelta(days=10))
    assert plan.meetings_top_up(now=NOW + timedelta(days=30)) == 0
    assert series.meetings.filter(status=MeetingStatus.SCHEDULED).count() == 2
    assert series.meetings.filter(status=MeetingStatus.CANCELLED).count() == 10


def test_a_meeting_is_never_generated_in_the_past(cadences, mapped_engagement, pm):
    # Applied on Tuesday at 12:00 with the weekly status on Tuesdays at 10:00: the first is next week.
    apply(mapped_engagement, pm, keys=["weekly-status"], now=datetime(2026, 3, 3, 11, 0, tzinfo=UTC))
    assert Meeting.objects.first().starts_at == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _invite_all(now):
    from notifications.services import reminder_sweep

    reminder_sweep(now=now, time_budget=30)


def test_editing_the_series_moves_only_future_meetings_and_tells_the_invited(cadences, mapped_engagement, pm):
    apply(mapped_engagement, pm, keys=["weekly-status"])
    series = MeetingSeries.objects.get()
    _invite_all(NOW)  # invitations go for the meetings within four weeks
    invited = set(series.meetings.filter(invited_sequence__isnull=False).values_list("pk", flat=True))
    assert len(invited) == 4
    moved_alone = series.meetings.all()[6]
    schedule.meeting_move(
        by=pm,
        meeting=moved_alone,
        starts_at=moved_alone.starts_at + timedelta(hours=3),
        reason="Client offsite",
        now=NOW,
    )
    later = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # the first two meetings are past
    schedule.series_update(by=pm, series=series, weekday=3, start_time=time(9, 0), now=later)
    meetings = list(series.meetings.order_by("original_start"))
    past = [m for m in meetings if m.starts_at < later]
    assert [m.starts_at for m in past] == [
        datetime(2026, 3, 3, 9, 0, tzinfo=UTC),
        datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
    ]
    future = [m for m in meetings if m.starts_at >= later and m.status == MeetingStatus.SCHEDULED and not m.is_moved]
    assert {m.starts_at.astimezone(BERLIN).weekday() for m in future} == {3}
    assert {m.starts_at.astimezone(BERLIN).time() for m in future} == {time(9, 0)}
    moved_alone.refresh_from_db()
    assert moved_alone.starts_at.astimezone(BERLIN).time() == time(13, 0)
    # The invited meetings that moved went out as updates, once each, with a higher SEQUENCE.
    updates = Notification.objects.filter(template=lifecycle.INVITATION_TEMPLATE, context__is_update=True)
    updated_meetings = {int(n.target_id) for n in updates}
    assert updated_meetings == invited - {m.pk for m in past}
    assert all(n.context["sequence"] >= 1 for n in updates)


def test_moving_a_meeting_needs_a_reason_and_a_time_to_come(cadences, mapped_engagement, pm):
    apply(mapped_engagement, pm, keys=["weekly-status"])
    meeting = Meeting.objects.first()
    with pytest.raises(ValidationError):
        schedule.meeting_move(
            by=pm, meeting=meeting, starts_at=meeting.starts_at + timedelta(hours=1), reason=" ", now=NOW
        )
    with pytest.raises(ValidationError):
        schedule.meeting_move(by=pm, meeting=meeting, starts_at=NOW - timedelta(hours=1), reason="Oops", now=NOW)
    moved = schedule.meeting_move(
        by=pm, meeting=meeting, starts_at=meeting.starts_at + timedelta(days=1), reason="Holiday", now=NOW
    )
    assert (moved.sequence, moved.is_moved, moved.change_reason) == (1, True, "Holiday")
    reminder = Reminder.objects.get(key=lifecycle.reminder_key(meeting.pk))
    assert reminder.status == ReminderStatus.PENDING


def test_cancelling_an_invited_meeting_sends_a_cancellation_and_ends_its_reminder(
    cadences, mapped_engagement, pm, client_key_user
):
    apply(mapped_engagement, pm, keys=["weekly-status"])
    _invite_all(NOW)
    meeting = Meeting.objects.first()
    schedule.meeting_cancel(by=pm, meeting=meeting, reason="Public holiday", now=NOW)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == (MeetingStatus.CANCELLED, 1)
    cancellations = Notification.objects.filter(template=lifecycle.CANCELLATION_TEMPLATE, target_id=str(meeting.pk))
    assert client_key_user in {n.recipient for n in cancellations}
    assert Reminder.objects.get(key=lifecycle.reminder_key(meeting.pk)).status == ReminderStatus.CANCELLED
    with pytest.raises(ValidationError):
        schedule.meeting_cancel(by=pm, meeting=meeting, reason="Again", now=NOW)


def test_a_single_meeting_from_a_one_off_cadence(cadences, mapped_engagement, pm):
    kickoff = CadenceTemplate.objects.get(key="kickoff", language="en")
    meeting = schedule.meeting_add(
        by=pm,
        engagement=mapped_engagement,
        title="",
        starts_at=datetime(2026, 3, 12, 13, 0, tzinfo=UTC),
        duration_minutes=90,
        cadence=kickoff,
        now=NOW,
    )
    assert meeting.title == "Kickoff"
    assert meeting.ends_at - meeting.starts_at == timedelta(minutes=90)
    assert meeting.series.sections.count() == 6
    assert meeting.series.participants.filter(side="client").count() == 3


def test_series_rhythm_in_words(mapped_engagement):
    series = MeetingSeriesFactory(engagement=mapped_engagement, interval=2, weekday=3, start_time=time(14, 0))
    assert series.rhythm == "Every 2 weeks on Thursday at 14:00"


def test_the_kickoff_meeting_follows_the_kickoff_date(cadences, mapped_engagement, pm, client_key_user):
    from django.utils import timezone

    from engagements.services import engagement_update

    today = timezone.localdate()
    mapped_engagement.kickoff_on = today + timedelta(days=10)
    mapped_engagement.save()
    plan.plan_apply(
        by=pm,
        engagement=mapped_engagement,
        cadence_keys=["kickoff"],
        time_zone="Europe/Berlin",
        language="en",
        starts_on=today,
    )
    meeting = Meeting.objects.get(series__cadence_key="kickoff")
    from notifications.services import reminder_sweep

    reminder_sweep(time_budget=30)  # within three weeks: invited now
    meeting.refresh_from_db()
    assert meeting.invited_sequence == 0
    engagement_update(by=pm, engagement=mapped_engagement, kickoff_on=today + timedelta(days=12))
    meeting.refresh_from_db()
    assert meeting.starts_at.astimezone(BERLIN).date() == today + timedelta(days=12)
    assert meeting.starts_at.astimezone(BERLIN).time() == time(10, 0)
    assert meeting.sequence == 1
    update = Notification.objects.get(
        template=lifecycle.INVITATION_TEMPLATE, recipient=client_key_user, channel="email", context__is_update=True
    )
    assert update.target == meeting


def test_closing_the_engagement_cancels_its_meetings_to_come_and_tells_the_invited(
    cadences, mapped_engagement, pm, client_key_user
):
    from engagements.services import engagement_change_phase

    apply(mapped_engagement, pm, keys=["weekly-status"])
    _invite_all(NOW)
    series = MeetingSeries.objects.get()
    invited = set(series.meetings.filter(invited_sequence__isnull=False).values_list("pk", flat=True))
    assert invited and series.meetings.filter(invited_sequence__isnull=True).exists()
    later = NOW + timedelta(days=8)
    past = set(series.meetings.filter(starts_at__lte=later).values_list("pk", flat=True))
    engagement_change_phase(by=pm, engagement=mapped_engagement, to="closed", reason="Contract ended", now=later)
    series.refresh_from_db()
    assert series.ended_on == later.date()
    to_come = series.meetings.filter(starts_at__gt=later)
    assert set(to_come.values_list("status", flat=True)) == {MeetingStatus.CANCELLED}
    assert set(to_come.values_list("change_reason", flat=True)) == {"The engagement was closed."}
    assert not series.meetings.filter(pk__in=past, status=MeetingStatus.CANCELLED).exists()
    told = Notification.objects.filter(template=lifecycle.CANCELLATION_TEMPLATE)
    assert {int(pk) for pk in told.values_list("target_id", flat=True)} == invited - past
    assert client_key_user in {n.recipient for n in told}
    keys = [lifecycle.reminder_key(pk) for pk in to_come.values_list("pk", flat=True)]
    assert set(Reminder.objects.filter(key__in=keys).values_list("status", flat=True)) == {ReminderStatus.CANCELLED}
