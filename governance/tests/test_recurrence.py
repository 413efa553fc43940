"""The recurrence module, against dates worked out by hand (calendar of 2026-2027; summer time in Berlin starts
on 29 Mar 2026 and ends on 25 Oct 2026; in New York it starts on 8 Mar 2026)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from governance import recurrence
from governance.recurrence import LAST, MONTHLY, ONCE, WEEKLY, YEARLY, Rule

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def dates(rule, anchor, start, until):
    return list(recurrence.occurrence_dates(rule, anchor=anchor, start=start, until=until))


def test_weekly_on_tuesdays_from_a_tuesday():
    got = dates(Rule(WEEKLY, 1, weekday=1), date(2026, 3, 17), date(2026, 3, 17), date(2026, 4, 7))
    assert got == [date(2026, 3, 17), date(2026, 3, 24), date(2026, 3, 31), date(2026, 4, 7)]


def test_every_second_week_starts_on_the_first_weekday_after_the_anchor():
    # Anchor Wednesday 7 Jan 2026; Tuesdays every two weeks: 13 Jan, 27 Jan, 10 Feb.
    got = dates(Rule(WEEKLY, 2, weekday=1), date(2026, 1, 7), date(2026, 1, 1), date(2026, 2, 10))
    assert got == [date(2026, 1, 13), date(2026, 1, 27), date(2026, 2, 10)]


def test_every_six_weeks_and_a_window_in_the_middle_keeps_the_rhythm():
    rule = Rule(WEEKLY, 6, weekday=0)
    assert dates(rule, date(2026, 1, 5), date(2026, 1, 1), date(2026, 5, 31)) == [
        date(2026, 1, 5),
        date(2026, 2, 16),
        date(2026, 3, 30),
        date(2026, 5, 11),
    ]
    # Asking from March on jumps into the same rhythm, not a new one.
    assert dates(rule, date(2026, 1, 5), date(2026, 3, 1), date(2026, 5, 31)) == [date(2026, 3, 30), date(2026, 5, 11)]


def test_monthly_on_the_second_tuesday():
    got = dates(Rule(MONTHLY, 1, weekday=1, week_of_month=2), date(2026, 1, 1), date(2026, 1, 1), date(2026, 4, 30))
    assert got == [date(2026, 1, 13), date(2026, 2, 10), date(2026, 3, 10), date(2026, 4, 14)]


def test_monthly_on_the_last_friday_and_every_second_month():
    got = dates(Rule(MONTHLY, 2, weekday=4, week_of_month=LAST), date(2026, 1, 1), date(2026, 1, 1), date(2026, 6, 30))
    # 30 Jan (31 is a Saturday), 27 Mar, 29 May.
    assert got == [date(2026, 1, 30), date(2026, 3, 27), date(2026, 5, 29)]


def test_a_monthly_anchor_after_this_months_slot_starts_next_month():
    got = dates(Rule(MONTHLY, 1, weekday=1, week_of_month=2), date(2026, 1, 20), date(2026, 1, 1), date(2026, 2, 28))
    assert got == [date(2026, 2, 10)]


def test_yearly_on_the_second_tuesday_of_the_anchor_month():
    got = dates(Rule(YEARLY, 1, weekday=1, week_of_month=2), date(2026, 3, 1), date(2026, 1, 1), date(2027, 12, 31))
    assert got == [date(2026, 3, 10), date(2027, 3, 9)]


def test_once_is_the_anchor_when_in_the_window():
    assert dates(Rule(ONCE), date(2026, 5, 4), date(2026, 5, 1), date(2026, 5, 31)) == [date(2026, 5, 4)]
    assert dates(Rule(ONCE), date(2026, 5, 4), date(2026, 5, 5), date(2026, 5, 31)) == []


def test_a_weekly_meeting_keeps_its_wall_clock_time_across_both_summer_time_changes():
    rule = Rule(WEEKLY, 1, weekday=3)  # Thursdays at 10:00 in Berlin
    spring = list(
        recurrence.occurrences(
            rule, anchor=date(2026, 3, 19), at=time(10), zone=BERLIN, start=date(2026, 3, 19), until=date(2026, 4, 2)
        )
    )
    assert spring == [
        datetime(2026, 3, 19, 9, 0, tzinfo=UTC),  # CET, UTC+1
        datetime(2026, 3, 26, 9, 0, tzinfo=UTC),
        datetime(2026, 4, 2, 8, 0, tzinfo=UTC),  # CEST, UTC+2
    ]
    autumn = list(
        recurrence.occurrences(
            rule,
            anchor=date(2026, 10, 22),
            at=time(10),
            zone=BERLIN,
            start=date(2026, 10, 22),
            until=date(2026, 10, 29),
        )
    )
    assert autumn == [datetime(2026, 10, 22, 8, 0, tzinfo=UTC), datetime(2026, 10, 29, 9, 0, tzinfo=UTC)]
    assert {at.astimezone(BERLIN).hour for at in spring + autumn} == {10}


def test_new_york_changes_on_its_own_date():
    rule = Rule(WEEKLY, 1, weekday=4)  # Fridays at 09:30
    got = list(
        recurrence.occurrences(
            rule,
            anchor=date(2026, 3, 6),
            at=time(9, 30),
            zone=NEW_YORK,
            start=date(2026, 3, 6),
            until=date(2026, 3, 13),
        )
    )
    assert got == [datetime(2026, 3, 6, 14, 30, tzinfo=UTC), datetime(2026, 3, 13, 13, 30, tzinfo=UTC)]


def test_a_time_that_does_not_exist_comes_out_as_the_clock_shows_it():
    # 02:30 on 29 Mar 2026 does not exist in Berlin (02:00 jumps to 03:00): it is 03:30 CEST, 01:30 UTC.
    assert recurrence.local_to_utc(date(2026, 3, 29), time(2, 30), BERLIN) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_minutes_fall_due_at_the_end_of_the_second_working_day():
    # The end of the second working day, local midnight, as UTC (Berlin in summer: 22:00 UTC the day before). The
    # working-day count itself is engagements.working_days', tested there.
    due = recurrence.end_of_working_day_after(datetime(2026, 6, 5, 12, 0, tzinfo=UTC), 2, BERLIN)
    assert due == datetime(2026, 6, 9, 22, 0, tzinfo=UTC)


def test_week_of_month_of_a_fifth_weekday_is_the_last():
    assert recurrence.week_of_month_of(date(2026, 3, 31)) == LAST
    assert recurrence.week_of_month_of(date(2026, 3, 10)) == 2


@pytest.mark.parametrize(
    "kwargs", [{"frequency": "daily"}, {"frequency": WEEKLY, "interval": 0}, {"frequency": MONTHLY, "week_of_month": 5}]
)
def test_a_rule_refuses_what_it_cannot_do(kwargs):
    with pytest.raises(ValueError):
        Rule(**kwargs)


@pytest.mark.django_db
def test_late_minutes_fall_due_after_the_teams_public_holidays(settings, weekly):
    from governance.services import lifecycle

    meeting = weekly[0]
    series = meeting.series
    # Tuesdays 10:00 Berlin; say the meeting was the one before Christmas: 22 Dec 2026.
    meeting.starts_at = datetime(2026, 12, 22, 9, 0, tzinfo=UTC)
    meeting.ends_at = meeting.starts_at + timedelta(minutes=30)
    settings.HOLIDAY_COUNTRY = ""
    assert lifecycle.minutes_due_at(meeting, series) == datetime(2026, 12, 24, 23, 0, tzinfo=UTC)  # end of Thursday
    settings.HOLIDAY_COUNTRY = "DE"  # 24 Dec is a working day in Germany
    assert lifecycle.minutes_due_at(meeting, series) == datetime(2026, 12, 24, 23, 0, tzinfo=UTC)
    settings.HOLIDAY_COUNTRY = "PL"
    # In Poland 24, 25 and 26 Dec are holidays, then the weekend: Wednesday 23 and Monday 28 Dec are the two days.
    assert lifecycle.minutes_due_at(meeting, series) == datetime(2026, 12, 28, 23, 0, tzinfo=UTC)
