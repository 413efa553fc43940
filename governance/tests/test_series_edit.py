"""Editing a series keeps its phase: a new name or time of day moves no date, for every kind of rhythm, and each
invited meeting whose time moved gets one update. All at fixed instants."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils.dateparse import parse_datetime

from governance.models import Frequency, Meeting, MeetingStatus
from governance.services import lifecycle, plan
from governance.services import series as schedule
from notifications.models import Notification

from .factories import MeetingSeriesFactory, SeriesParticipantFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class Kind:
    frequency: str
    interval: int
    weekday: int
    week_of_month: int | None
    anchor: date
    # When the edit happens: chosen so that counting the rhythm from that day would shift it.
    edited_at: datetime
    until: date


KINDS = {
    "weekly": Kind(
        Frequency.WEEKLY, 1, 1, None, date(2026, 1, 6), datetime(2026, 3, 9, 8, tzinfo=UTC), date(2026, 5, 31)
    ),
    "bi-weekly": Kind(
        Frequency.WEEKLY, 2, 1, None, date(2026, 1, 6), datetime(2026, 3, 9, 8, tzinfo=UTC), date(2026, 5, 31)
    ),
    "every-6-weeks": Kind(
        Frequency.WEEKLY, 6, 1, None, date(2026, 1, 6), datetime(2026, 3, 9, 8, tzinfo=UTC), date(2026, 9, 30)
    ),
    "monthly": Kind(
        Frequency.MONTHLY, 1, 1, None, date(2026, 1, 13), datetime(2026, 3, 23, 8, tzinfo=UTC), date(2026, 8, 31)
    ),
    "every-2-months": Kind(
        Frequency.MONTHLY, 2, 1, 2, date(2026, 1, 13), datetime(2026, 2, 16, 8, tzinfo=UTC), date(2026, 12, 31)
    ),
    "yearly": Kind(
        Frequency.YEARLY, 1, 1, 2, date(2026, 3, 10), datetime(2026, 6, 1, 8, tzinfo=UTC), date(2028, 12, 31)
    ),
    "once": Kind(Frequency.ONCE, 1, 1, None, date(2026, 4, 14), datetime(2026, 3, 9, 8, tzinfo=UTC), date(2026, 4, 14)),
}


def make_series(engagement, kind: Kind):
    series = MeetingSeriesFactory(
        engagement=engagement,
        name="Review",
        frequency=kind.frequency,
        interval=kind.interval,
        weekday=kind.weekday,
        week_of_month=kind.week_of_month,
        starts_on=kind.anchor,
        start_time=time(10, 0),
        time_zone="Europe/Berlin",
    )
    SeriesParticipantFactory(series=series, name="Guest", email="guest@acme.example")
    plan.series_generate_many([series], now=datetime.combine(kind.anchor, time(0), tzinfo=UTC), until=kind.until)
    # Every meeting invited already: an edit that moves one must send an update.
    series.meetings.update(invited_sequence=0)
    return series


def future_of(series, now):
    return list(series.meetings.filter(starts_at__gt=now).order_by("starts_at"))


def local_dates(meetings):
    return [m.starts_at.astimezone(BERLIN).date() for m in meetings]


def updates_per_meeting():
    counts = {}
    for target in Notification.objects.filter(
        template=lifecycle.INVITATION_TEMPLATE, context__is_update=True
    ).values_list("target_id", flat=True):
        counts[int(target)] = counts.get(int(target), 0) + 1
    return counts


@pytest.mark.parametrize("name", list(KINDS))
def test_renaming_a_series_moves_no_meeting(name, engagement, pm):
    kind = KINDS[name]
    series = make_series(engagement, kind)
    before = future_of(series, kind.edited_at)
    assert before, "the scenario needs meetings still to come"

    schedule.series_update(by=pm, series=series, name="Quarterly review", now=kind.edited_at)

    after = future_of(series, kind.edited_at)
    assert [(m.pk, m.starts_at) for m in after] == [(m.pk, m.starts_at) for m in before]
    assert {m.title for m in after} == {"Quarterly review"}
    assert not series.meetings.filter(status=MeetingStatus.CANCELLED).exists()
    series.refresh_from_db()
    assert series.starts_on == kind.anchor
    # An update tells the new name; none carries another date.
    for notification in Notification.objects.filter(template=lifecycle.INVITATION_TEMPLATE, context__is_update=True):
        meeting = Meeting.objects.get(pk=notification.target_id)
        assert parse_datetime(notification.context["starts_at"]) == meeting.starts_at


@pytest.mark.parametrize("name", list(KINDS))
def test_a_new_time_of_day_keeps_the_dates_and_sends_one_update_per_meeting(name, engagement, pm):
    kind = KINDS[name]
    series = make_series(engagement, kind)
    before = future_of(series, kind.edited_at)

    schedule.series_update(by=pm, series=series, start_time=time(14, 30), now=kind.edited_at)

    after = future_of(series, kind.edited_at)
    assert [m.pk for m in after] == [m.pk for m in before]
    assert local_dates(after) == local_dates(before)
    assert {m.starts_at.astimezone(BERLIN).time() for m in after} == {time(14, 30)}
    assert not series.meetings.filter(status=MeetingStatus.CANCELLED).exists()
    assert updates_per_meeting() == {m.pk: 1 for m in after}


def test_a_new_time_of_day_does_not_bring_back_a_meeting_cancelled_on_its_own(engagement, pm):
    kind = KINDS["weekly"]
    series = make_series(engagement, kind)
    cancelled = future_of(series, kind.edited_at)[1]
    schedule.meeting_cancel(by=pm, meeting=cancelled, reason="Public holiday", now=kind.edited_at)
    dates = local_dates(future_of(series, kind.edited_at))

    schedule.series_update(by=pm, series=series, start_time=time(9, 0), now=kind.edited_at)

    assert local_dates(future_of(series, kind.edited_at)) == dates
    on_that_day = [
        m for m in series.meetings.all() if m.starts_at.astimezone(BERLIN).date() == local_dates([cancelled])[0]
    ]
    assert [(m.pk, m.status) for m in on_that_day] == [(cancelled.pk, MeetingStatus.CANCELLED)]


def test_a_new_cycle_counts_from_the_day_of_the_edit(engagement, pm):
    kind = KINDS["weekly"]
    series = make_series(engagement, kind)

    schedule.series_update(by=pm, series=series, interval=2, now=kind.edited_at)

    series.refresh_from_db()
    assert series.starts_on == date(2026, 3, 9)
    # Tuesdays a fortnight apart from the first one after the edit.
    scheduled = series.meetings.filter(starts_at__gt=kind.edited_at, status=MeetingStatus.SCHEDULED)
    assert local_dates(scheduled.order_by("starts_at"))[:3] == [date(2026, 3, 10), date(2026, 3, 24), date(2026, 4, 7)]


def test_todays_meeting_keeps_its_time_when_the_new_one_is_already_past(engagement, pm):
    kind = KINDS["weekly"]
    series = make_series(engagement, kind)
    # Tuesday 10 March at 09:30 in Berlin: today's 10:00 meeting is still to come.
    now = datetime(2026, 3, 10, 8, 30, tzinfo=UTC)
    today = series.meetings.get(starts_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC))

    schedule.series_update(by=pm, series=series, start_time=time(8, 0), now=now)

    today.refresh_from_db()
    assert (today.status, today.starts_at) == (MeetingStatus.SCHEDULED, datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    nxt = series.meetings.get(starts_at__date=date(2026, 3, 17))
    assert nxt.starts_at.astimezone(BERLIN).time() == time(8, 0)
