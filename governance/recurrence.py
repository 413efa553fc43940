"""Recurrence of governance meetings: the one module that turns a rhythm into dates and times.

A series recurs on *local dates* in its engagement's time zone; each occurrence is then that date at the series'
wall-clock time in that zone, stored as UTC. So a weekly 10:00 meeting in Europe/Berlin is at 08:00 UTC in summer
and at 09:00 UTC in winter, and stays at 10:00 for everyone in Berlin across the change.

Rhythms (``Rule``):

- weekly, every ``interval`` weeks, on ``weekday`` (0 = Monday), counted from the first such weekday on or after
  the anchor date;
- monthly, every ``interval`` months, on the ``week_of_month``-th ``weekday`` of the month (1-4, or -1 for the
  last), e.g. "the second Tuesday";
- yearly, every ``interval`` years, on that weekday of the anchor's month (a yearly review stays on a working
  day, e.g. "the second Tuesday of March");
- once: the anchor date itself.

Wall-clock times that do not exist (02:30 on the night clocks go forward) come out an hour later, as the clock
shows them; times that exist twice (02:30 on the night clocks go back) are the first of the two. Meetings are in
working hours, so neither case is expected, but neither fails.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from engagements.working_days import working_days_after

WEEKLY, MONTHLY, YEARLY, ONCE = "weekly", "monthly", "yearly", "once"
LAST = -1


@dataclass(frozen=True)
class Rule:
    frequency: str
    interval: int = 1
    weekday: int = 0
    # MONTHLY and YEARLY: 1-4, or LAST; None takes it from the anchor date.
    week_of_month: int | None = None

    def __post_init__(self):
        if self.frequency not in (WEEKLY, MONTHLY, YEARLY, ONCE):
            raise ValueError(f"unknown frequency {self.frequency!r}")
        if self.interval < 1:
            raise ValueError("the interval must be 1 or more")
        if not 0 <= self.weekday <= 6:
            raise ValueError("the weekday must be 0 (Monday) to 6 (Sunday)")
        if self.week_of_month not in (None, 1, 2, 3, 4, LAST):
            raise ValueError("the week of the month must be 1-4 or -1 (last)")


def week_of_month_of(day: date) -> int:
    """Which of its month's weekdays ``day`` is: 1-4, or LAST for a fifth one (which not every month has)."""
    n = (day.day - 1) // 7 + 1
    return LAST if n == 5 else n


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` of the month (n = 1-4), or its last one (n = LAST)."""
    if n == LAST:
        following = date(year + month // 12, month % 12 + 1, 1)
        last = following - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def occurrence_dates(rule: Rule, *, anchor: date, start: date, until: date) -> Iterator[date]:
    """The local dates of the series anchored at ``anchor`` that fall within ``start``..``until`` (inclusive),
    in order. The anchor is the earliest possible date, not necessarily an occurrence."""
    if until < start:
        return
    if rule.frequency == ONCE:
        if start <= anchor <= until:
            yield anchor
        return
    if rule.frequency == WEEKLY:
        first = anchor + timedelta(days=(rule.weekday - anchor.weekday()) % 7)
        step = 7 * rule.interval
        # Jump straight to the first occurrence on or after ``start``: a year ahead costs no loop over the past.
        skip = max(0, -(-(start - first).days // step))
        day = first + timedelta(days=skip * step)
        while day <= until:
            yield day
            day += timedelta(days=step)
        return
    months = rule.interval * (12 if rule.frequency == YEARLY else 1)
    n = rule.week_of_month if rule.week_of_month is not None else week_of_month_of(anchor)
    base = _month_index(anchor)
    k = max(0, (_month_index(start) - base) // months - 1)
    while True:
        index = base + k * months
        day = nth_weekday(index // 12, index % 12 + 1, rule.weekday, n)
        k += 1
        if day < anchor or day < start:
            continue
        if day > until:
            return
        yield day


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``at`` on ``day`` on the wall clock of ``zone``, as an aware UTC datetime (see the module docstring for
    the hour that does not exist and the hour that exists twice)."""
    wall = datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone)
    # A round trip through UTC normalises a non-existent time to the one the clock shows.
    return wall.astimezone(UTC)


def occurrences(rule: Rule, *, anchor: date, at: time, zone: ZoneInfo, start: date, until: date) -> Iterator[datetime]:
    """The occurrences' start times (UTC) of the series on the local dates ``start``..``until``."""
    for day in occurrence_dates(rule, anchor=anchor, start=start, until=until):
        yield local_to_utc(day, at, zone)


def end_of_working_day_after(moment: datetime, n: int, zone: ZoneInfo, *, country: str = "") -> datetime:
    """The end (midnight) of the ``n``-th working day after ``moment``'s local date in ``zone``, as UTC."""
    local_day = moment.astimezone(zone).date()
    due_day = working_days_after(local_day, n, country=country) + timedelta(days=1)
    return local_to_utc(due_day, time(0, 0), zone)
