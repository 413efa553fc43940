"""The local hour every app's reminders fire at, counted on the recipient's wall clock."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from notifications.clock import at_local_hour

BERLIN = ZoneInfo("Europe/Berlin")


def test_nine_in_the_morning_local_in_summer_and_in_winter():
    assert at_local_hour(date(2026, 7, 1), BERLIN) == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
    assert at_local_hour(date(2026, 12, 1), BERLIN) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_before_counts_on_the_wall_clock_across_the_end_of_summer_time():
    # Summer time ends on Sunday 25 October 2026: 48 hours before Monday 09:00 is Saturday 09:00 local.
    assert at_local_hour(date(2026, 10, 26), BERLIN, before=timedelta(hours=48)) == datetime(
        2026, 10, 24, 7, 0, tzinfo=UTC
    )


def test_another_hour():
    assert at_local_hour(date(2026, 12, 1), ZoneInfo("UTC"), hour=17) == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
