"""Business time: the ONE module that adds and measures working time in a calendar.

Every deadline, pause and SLA figure of escalations is computed here, and nowhere else.

A ``Schedule`` is a business calendar made ready for arithmetic:

- a time zone (``zoneinfo``);
- working windows per weekday (Monday = 0), several a day allowed (a lunch break, two shifts), each a local
  wall-clock interval ``[start, end)``; an end of ``00:00`` means midnight at the end of that day (a window never
  crosses midnight: a night shift is two windows, one on each day);
- holidays: whole local days without any window.

``Schedule.around_the_clock()`` counts every second of every day (24/7 engagements): plain elapsed time.

Rules, so that results are the same on every machine and across summer-time changes:

- Instants going in are aware datetimes in any zone; instants coming out are UTC.
- Business time is the *real* time that passes inside windows. A 09:00-17:00 window is 8 hours on every day, the
  change days included; a 00:00-24:00 window is 23 hours on the spring-forward day and 25 on the fall-back day.
- A window boundary that does not exist on a spring-forward day (02:30 in the gap) is read as the clock before the
  change would read it (``fold=0``: it falls 1 hour later on the new clock); one that exists twice on a fall-back
  day is its first occurrence. Calendars rarely put boundaries there; the tests pin the behaviour.
- ``add(start, duration)`` is the instant at which ``duration`` of business time has passed after ``start``. A
  deadline that is used up exactly at a window's end falls at that end (17:00), not at the next window's start.
  A zero duration is ``start`` itself.
- ``between(start, end, excluding=pauses)`` is the business time in ``[start, end)`` minus the business time of
  the pauses (overlapping pauses count once; parts outside ``[start, end)`` do not count).

Hand-worked examples are in ``escalations/tests/test_business_time.py``.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ZERO = timedelta(0)
# A calendar without any window in ten years is broken; say so rather than loop forever.
MAX_DAYS = 3660

Interval = tuple[datetime, datetime]


def _aware(instant: datetime, what: str) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, not {instant!r}")
    return instant.astimezone(UTC)


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping intervals covering the same instants (empty ones dropped)."""
    merged: list[list[datetime]] = []
    for start, end in sorted((s, e) for s, e in intervals if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


@dataclass
class Schedule:
    zone: ZoneInfo
    windows: Mapping[int, Sequence[tuple[time, time]]] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()
    always: bool = False
    _days: dict = field(default_factory=dict, repr=False, compare=False)
    _sums: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def around_the_clock(cls, zone: ZoneInfo | str = "UTC") -> "Schedule":
        return cls(zone=ZoneInfo(zone) if isinstance(zone, str) else zone, always=True)

    def __post_init__(self):
        if isinstance(self.zone, str):
            self.zone = ZoneInfo(self.zone)
        self.holidays = frozenset(self.holidays)
        if not self.always and not any(self.windows.get(weekday) for weekday in range(7)):
            raise ValueError("A business calendar needs at least one working window.")

    # --- The windows of one local day, as UTC intervals ---------------------------------------------------------

    def day_intervals(self, day: date) -> tuple[Interval, ...]:
        cached = self._days.get(day)
        if cached is None:
            cached = self._days[day] = self._build_day(day)
        return cached

    def _build_day(self, day: date) -> tuple[Interval, ...]:
        if day in self.holidays:
            return ()
        intervals = []
        for start, end in self.windows.get(day.weekday(), ()):
            starts_at = datetime.combine(day, start, tzinfo=self.zone)
            if end == time(0, 0):
                ends_at = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=self.zone)
            else:
                ends_at = datetime.combine(day, end, tzinfo=self.zone)
            intervals.append((starts_at.astimezone(UTC), ends_at.astimezone(UTC)))
        return tuple(merge_intervals(intervals))

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    # --- Arithmetic ---------------------------------------------------------------------------------------------

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which ``duration`` of business time has passed after ``start`` (UTC)."""
        # A sweep computes the same few deadlines from the same ``now`` for thousands of flags on one calendar.
        key = (start, duration)
        found = self._sums.get(key)
        if found is None:
            found = self._sums[key] = self._add(start, duration)
        return found

    def _add(self, start: datetime, duration: timedelta) -> datetime:
        start = _aware(start, "start")
        if duration < ZERO:
            raise ValueError("A business duration cannot be negative.")
        if duration == ZERO:
            return start
        if self.always:
            return start + duration
        remaining = duration
        # A window of the previous local day never reaches into this one (windows end by midnight), so the search
        # starts on the local day of ``start``.
        day = self._local_date(start)
        for _ in range(MAX_DAYS):
            for window_start, window_end in self.day_intervals(day):
                if window_end <= start:
                    continue
                window_start = max(window_start, start)
                available = window_end - window_start
                if remaining <= available:
                    return window_start + remaining
                remaining -= available
            day += timedelta(days=1)
        raise ValueError("The calendar has no working window in ten years after the start.")

    def between(self, start: datetime, end: datetime, *, excluding: Iterable[Interval] = ()) -> timedelta:
        """Business time in ``[start, end)`` minus the business time of ``excluding`` (pauses) inside it."""
        start, end = _aware(start, "start"), _aware(end, "end")
        if end <= start:
            return ZERO
        total = self._between(start, end)
        for pause_start, pause_end in merge_intervals(
            (max(_aware(s, "pause start"), start), min(_aware(e, "pause end"), end)) for s, e in excluding
        ):
            total -= self._between(pause_start, pause_end)
        return total

    def _between(self, start: datetime, end: datetime) -> timedelta:
        if end <= start:
            return ZERO
        if self.always:
            return end - start
        total = ZERO
        day, last_day = self._local_date(start), self._local_date(end)
        if (last_day - day).days > MAX_DAYS:
            raise ValueError("A business interval longer than ten years is not supported.")
        while day <= last_day:
            for window_start, window_end in self.day_intervals(day):
                overlap_start, overlap_end = max(window_start, start), min(window_end, end)
                if overlap_end > overlap_start:
                    total += overlap_end - overlap_start
            day += timedelta(days=1)
        return total

    def is_working(self, instant: datetime) -> bool:
        """Whether ``instant`` falls inside a working window (always true around the clock)."""
        instant = _aware(instant, "instant")
        if self.always:
            return True
        return any(s <= instant < e for s, e in self.day_intervals(self._local_date(instant)))

    def scaled(self, start: datetime, duration: timedelta, share: float) -> datetime:
        """The instant at which ``share`` (0-1) of ``duration`` has passed after ``start``: a breach warning."""
        return self.add(start, timedelta(seconds=round(duration.total_seconds() * share)))
