"""Business-time arithmetic against examples worked out by hand (Europe/Warsaw: CET = UTC+1, CEST = UTC+2;
summer time starts on Sunday 29 March 2026 at 02:00 and ends on Sunday 25 October 2026 at 03:00)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from escalations.business_time import Schedule, merge_intervals

WARSAW = ZoneInfo("Europe/Warsaw")
NINE_TO_FIVE = {day: [(time(9), time(17))] for day in range(5)}
WITH_LUNCH = {day: [(time(9), time(12)), (time(13), time(17))] for day in range(5)}


def local(*args) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


@pytest.fixture
def office():
    return Schedule(zone=WARSAW, windows=NINE_TO_FIVE)


def test_inside_one_window_it_is_plain_addition(office):
    # Tuesday 10 Nov 2026, 10:00 + 3 h = 13:00 the same day.
    assert office.add(local(2026, 11, 10, 10), hours(3)) == local(2026, 11, 10, 13)


def test_a_deadline_used_up_at_closing_time_falls_at_closing_time(office):
    assert office.add(local(2026, 11, 10, 9), hours(8)) == local(2026, 11, 10, 17)


def test_the_weekend_does_not_count(office):
    # Friday 6 Nov 16:00 + 2 h: one hour on Friday (16-17), then Monday 9 Nov 09:00-10:00.
    assert office.add(local(2026, 11, 6, 16), hours(2)) == local(2026, 11, 9, 10)
    assert office.between(local(2026, 11, 6, 16), local(2026, 11, 9, 10)) == hours(2)


def test_a_start_outside_hours_counts_from_the_next_window(office):
    # Saturday 7 Nov 11:00 + 1 h: Monday 09:00 + 1 h.
    assert office.add(local(2026, 11, 7, 11), hours(1)) == local(2026, 11, 9, 10)
    # Tuesday 06:00 + 30 min: 09:30.
    assert office.add(local(2026, 11, 10, 6), timedelta(minutes=30)) == local(2026, 11, 10, 9, 30)


def test_a_holiday_does_not_count():
    # Wednesday 11 Nov 2026 is Polish Independence Day. Tuesday 10 Nov 16:00 + 2 h: Tuesday 16-17, Thursday 09-10.
    schedule = Schedule(zone=WARSAW, windows=NINE_TO_FIVE, holidays={date(2026, 11, 11)})
    assert schedule.add(local(2026, 11, 10, 16), hours(2)) == local(2026, 11, 12, 10)
    assert schedule.between(local(2026, 11, 10, 0), local(2026, 11, 13, 0)) == hours(16)


def test_the_lunch_break_does_not_count():
    schedule = Schedule(zone=WARSAW, windows=WITH_LUNCH)
    # Tuesday 11:00 + 2 h: 11-12, lunch, 13-14.
    assert schedule.add(local(2026, 11, 10, 11), hours(2)) == local(2026, 11, 10, 14)
    assert schedule.between(local(2026, 11, 10, 11, 30), local(2026, 11, 10, 13, 30)) == hours(1)
    # A deadline used up at noon stays at noon; one more minute goes after lunch.
    assert schedule.add(local(2026, 11, 10, 11), hours(1)) == local(2026, 11, 10, 12)
    assert schedule.add(local(2026, 11, 10, 11), hours(1) + timedelta(minutes=1)) == local(2026, 11, 10, 13, 1)


def test_across_the_spring_change_a_business_day_still_has_eight_hours(office):
    # Friday 27 Mar 16:00 CET (15:00 UTC) + 2 h: Friday 16-17, Monday 30 Mar 09-10 CEST = 08:00 UTC.
    deadline = office.add(local(2026, 3, 27, 16), hours(2))
    assert deadline == utc(2026, 3, 30, 8)
    assert deadline.tzinfo is UTC
    # Real time passed: 65 h, of which 2 are business time.
    assert deadline - local(2026, 3, 27, 16) == hours(65)
    assert office.between(local(2026, 3, 27, 16), deadline) == hours(2)


def test_a_window_across_the_changes_counts_the_real_hours():
    # A Sunday duty window 01:00-04:00. On 29 Mar the clock jumps 02:00 -> 03:00: 01:00 CET = 00:00 UTC and
    # 04:00 CEST = 02:00 UTC, so the window holds 2 real hours. On 25 Oct it falls back 03:00 -> 02:00:
    # 01:00 CEST = 23:00 UTC (Saturday) and 04:00 CET = 03:00 UTC, so 4 real hours.
    schedule = Schedule(zone=WARSAW, windows={6: [(time(1), time(4))]})
    assert schedule.day_intervals(date(2026, 3, 29)) == ((utc(2026, 3, 29, 0), utc(2026, 3, 29, 2)),)
    assert schedule.between(local(2026, 3, 28), local(2026, 3, 30)) == hours(2)
    assert schedule.between(local(2026, 10, 24), local(2026, 10, 26)) == hours(4)
    assert schedule.add(local(2026, 10, 24, 12), hours(3)) == utc(
        2026, 10, 25, 2
    )  # 03:00 CET (the hour after the repeated one)


def test_a_boundary_in_the_spring_gap_is_read_on_the_old_clock():
    # 02:30 does not exist on 29 Mar in Warsaw; read with the CET offset it is 01:30 UTC (03:30 CEST).
    schedule = Schedule(zone=WARSAW, windows={6: [(time(2, 30), time(5))]})
    assert schedule.day_intervals(date(2026, 3, 29)) == ((utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 3)),)


def test_around_the_clock_is_elapsed_time_across_the_change():
    schedule = Schedule.around_the_clock(WARSAW)
    # Saturday 28 Mar 23:00 CET (22:00 UTC) + 4 h = 02:00 UTC = 04:00 CEST on Sunday.
    assert schedule.add(local(2026, 3, 28, 23), hours(4)) == local(2026, 3, 29, 4)
    assert schedule.between(local(2026, 3, 28, 23), local(2026, 3, 29, 4)) == hours(4)
    assert schedule.is_working(local(2026, 12, 25, 3))


def test_a_midnight_end_means_the_end_of_the_day():
    schedule = Schedule(zone=WARSAW, windows={5: [(time(20), time(0))]})
    # Saturday 7 Nov 20:00-24:00 local = 19:00-23:00 UTC.
    assert schedule.day_intervals(date(2026, 11, 7)) == ((utc(2026, 11, 7, 19), utc(2026, 11, 7, 23)),)
    assert schedule.add(local(2026, 11, 7, 22), hours(3)) == local(2026, 11, 14, 21)


def test_pauses_are_subtracted_once_and_only_inside_the_interval(office):
    start, end = local(2026, 11, 6, 10), local(2026, 11, 10, 12)  # Fri 10:00 -> Tue 12:00: 7 + 8 + 3 = 18 h
    assert office.between(start, end) == hours(18)
    pauses = [
        (local(2026, 11, 6, 15), local(2026, 11, 9, 11)),  # Fri 15-17 and Mon 09-11: 4 h
        (local(2026, 11, 9, 10), local(2026, 11, 9, 12)),  # overlaps the first until 11, then 11-12: +1 h
        (local(2026, 11, 5, 9), local(2026, 11, 6, 11)),  # before the start except Fri 10-11: +1 h
    ]
    assert office.between(start, end, excluding=pauses) == hours(12)


def test_between_is_zero_backwards_and_add_of_zero_is_the_start(office):
    assert office.between(local(2026, 11, 10, 12), local(2026, 11, 10, 11)) == timedelta(0)
    saturday = local(2026, 11, 7, 11)
    assert office.add(saturday, timedelta(0)) == saturday


def test_add_and_between_agree(office):
    start = local(2026, 11, 5, 15, 17)
    for minutes in (1, 59, 60, 105, 480, 481, 2400, 10_000):
        deadline = office.add(start, timedelta(minutes=minutes))
        assert office.between(start, deadline) == timedelta(minutes=minutes)


def test_is_working(office):
    assert office.is_working(local(2026, 11, 10, 9))
    assert not office.is_working(local(2026, 11, 10, 17))
    assert not office.is_working(local(2026, 11, 7, 12))


def test_bad_input_is_refused(office):
    with pytest.raises(ValueError, match="timezone-aware"):
        office.add(datetime(2026, 11, 10, 9), hours(1))
    with pytest.raises(ValueError, match="negative"):
        office.add(local(2026, 11, 10, 9), hours(-1))
    with pytest.raises(ValueError, match="at least one working window"):
        Schedule(zone=WARSAW, windows={})
    every_day_off = Schedule(
        zone=WARSAW,
        windows={0: [(time(9), time(10))]},
        holidays={date(2026, 1, 5) + timedelta(weeks=n) for n in range(600)},
    )
    with pytest.raises(ValueError, match="no working window"):
        every_day_off.add(local(2026, 1, 1), hours(2))


def test_merge_intervals():
    a, b, c, d = (utc(2026, 1, 1, h) for h in (1, 2, 3, 4))
    assert merge_intervals([(c, d), (a, c), (b, b)]) == [(a, d)]
    assert merge_intervals([(c, d), (a, b)]) == [(a, b), (c, d)]
