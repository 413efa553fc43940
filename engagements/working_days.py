"""Working days: Monday to Friday, less the public holidays of the country the team works in.

The one rule every count of working days uses (the minutes due after a meeting in governance, the reminder to
acknowledge a delivered document in documents). It lives here, below both, because those apps may not import each
other; the country is the caller's (``settings.HOLIDAY_COUNTRY``), and without one only weekends are off.
"""

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


@lru_cache(maxsize=64)
def public_holidays(country: str, year: int) -> frozenset[date]:
    """The public holidays of ``country`` (ISO code, e.g. ``PL``) in ``year``, from the ``holidays`` library; none
    without a country."""
    if not country:
        return frozenset()
    return frozenset(holidays.country_holidays(country, years=year))


def is_working_day(day: date, *, country: str = "") -> bool:
    return day.weekday() < 5 and day not in public_holidays(country, day.year)


def working_days_after(day: date, n: int, *, country: str = "") -> date:
    """The ``n``-th working day after ``day``: a meeting ending on a Friday has its minutes due on Tuesday, or on
    Wednesday after an Easter Monday."""
    current = day
    while n > 0:
        current += timedelta(days=1)
        if is_working_day(current, country=country):
            n -= 1
    return current


def working_days_later(moment: datetime, n: int, zone: ZoneInfo, *, country: str = "") -> datetime:
    """``moment`` moved on by ``n`` working days, at the same wall-clock time in ``zone`` (days are counted there)."""
    local = moment.astimezone(zone)
    day = working_days_after(local.date(), n, country=country)
    return datetime.combine(day, local.time().replace(tzinfo=None)).replace(tzinfo=zone)


class WorkCalendar:
    """The working days of one engagement's plan: the weekdays its business calendar works (Monday to Friday by
    default) less its holidays. Counting is by local dates, so no time zone is needed."""

    def __init__(self, *, weekdays=(0, 1, 2, 3, 4), holidays=(), country: str = ""):
        self.weekdays = frozenset(weekdays) or frozenset(range(5))
        self.holidays = frozenset(holidays)
        self.country = country

    def is_working_day(self, day: date) -> bool:
        if day.weekday() not in self.weekdays or day in self.holidays:
            return False
        return not self.country or day not in public_holidays(self.country, day.year)

    def on_or_after(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def on_or_before(self, day: date) -> date:
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def add(self, day: date, n: int) -> date:
        """``day`` moved by ``n`` working days (backwards for a negative ``n``); ``day`` itself need not be one."""
        step = timedelta(days=1 if n >= 0 else -1)
        current, left = day, abs(n)
        while left > 0:
            current += step
            if self.is_working_day(current):
                left -= 1
        return current

    def between(self, start: date, end: date) -> int:
        """Working days from ``start`` to ``end``: how many working days after ``start`` ``end`` is (negative when
        it comes before); the working days in (start, end]."""
        if end == start:
            return 0
        sign, low, high = (1, start, end) if end > start else (-1, end, start)
        count, current = 0, low
        while current < high:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return sign * count
