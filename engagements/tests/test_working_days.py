"""The one working-day rule (governance's minutes, documents' reminders): weekends and the team's public holidays."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from engagements.working_days import is_working_day, working_days_after, working_days_later

WARSAW = ZoneInfo("Europe/Warsaw")


def test_working_days_skip_the_weekend():
    assert working_days_after(date(2026, 3, 13), 2) == date(2026, 3, 17)  # Friday -> Tuesday
    assert working_days_after(date(2026, 3, 16), 2) == date(2026, 3, 18)  # Monday -> Wednesday


def test_public_holidays_are_no_working_days():
    # Easter Monday 2026 is 6 April (a holiday in Poland and Germany): two working days after Friday 3 April.
    assert working_days_after(date(2026, 4, 3), 2) == date(2026, 4, 7)
    assert working_days_after(date(2026, 4, 3), 2, country="PL") == date(2026, 4, 8)
    # 3 May (Constitution Day) is a Polish holiday, not a German one; in 2027 it is a Monday.
    assert working_days_after(date(2027, 4, 30), 1, country="PL") == date(2027, 5, 4)
    assert working_days_after(date(2027, 4, 30), 1, country="DE") == date(2027, 5, 3)
    assert not is_working_day(date(2026, 11, 11), country="PL") and is_working_day(date(2026, 11, 11))


def test_a_moment_moves_on_at_the_same_local_time_across_the_clock_change():
    # Friday 23 October 2026 15:00 in Warsaw (CEST); clocks go back on Sunday 25th; Wednesday 28th 15:00 (CET).
    friday = datetime(2026, 10, 23, 15, 0, tzinfo=WARSAW)
    assert working_days_later(friday, 3, WARSAW) == datetime(2026, 10, 28, 15, 0, tzinfo=WARSAW)
    # Counted in the zone's dates: 23:30 UTC on Tuesday 10 November is already Wednesday 11th (a holiday) in Warsaw.
    late = datetime(2026, 11, 10, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert working_days_later(late, 1, WARSAW, country="PL") == datetime(2026, 11, 12, 0, 30, tzinfo=WARSAW)
