"""VTIMEZONE components (RFC 5545 §3.6.5) derived from a zone's transitions in the tz database (``zoneinfo``).

Each change of offset is an observance (STANDARD or DAYLIGHT) whose DTSTART is the local time *before* the change,
read in TZOFFSETFROM: in Europe/Warsaw the spring change is ``T020000`` at +0100 and the autumn one ``T030000`` at
+0200. Changes that recur yearly on the same weekday of the same month (the last Sunday of March, the second Sunday
of March) are written as one ``RRULE:FREQ=YEARLY``; a zone whose changes follow no such rule gets one ``RDATE`` a
line, which every reader understands (long comma-separated RDATE lists are misread by some, e.g. vobject). No zone
is named in the code: any zone a user may have works alike.
"""

import calendar as monthly
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

# Transitions are looked for every 12 hours (no zone changes twice within that) and then found to the second.
_STEP = timedelta(hours=12)
# An RRULE needs one change a year; WEEKDAYS as RFC 5545 spells them.
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Transition:
    at: datetime  # UTC
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_daylight: bool

    @property
    def local_start(self) -> datetime:
        """The wall time when the change happens, on the clock before it (naive), as DTSTART must be."""
        return (self.at + self.offset_from).replace(tzinfo=None)

    @property
    def kind(self) -> tuple:
        return (self.offset_from, self.offset_to, self.name, self.is_daylight)


def _state(zone: ZoneInfo, at: datetime) -> tuple:
    local = at.astimezone(zone)
    return (local.utcoffset(), local.dst(), local.tzname())


def transitions(zone: ZoneInfo, first_year: int, last_year: int) -> list[Transition]:
    """The zone's changes of offset (or of name or daylight saving) from 1 January ``first_year`` to the end of
    ``last_year``, in order."""
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    found = []
    before, state = start, _state(zone, start)
    while before < end:
        after = before + _STEP
        new_state = _state(zone, after)
        if new_state != state:
            low, high = before, after  # state at low, new_state at high
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _state(zone, middle) == state:
                    low = middle
                else:
                    high = middle
            at = high.replace(microsecond=0)
            # Clocks going forward enter daylight time, going back standard time, whatever sign the tz
            # database gives the saving (Dublin's and Casablanca's are negative).
            forward = new_state[0] > state[0] if new_state[0] != state[0] else new_state[1] > timedelta(0)
            found.append(Transition(at, state[0], new_state[0], new_state[2] or "", forward))
            state = new_state
        before = after
    return found


def _yearly_pattern(local: datetime) -> set[tuple]:
    """The yearly rules ``local`` fits: (month, n-th weekday or -1 for the last, weekday, time of day)."""
    n = (local.day - 1) // 7 + 1
    patterns = {(local.month, n, local.weekday(), local.time())} if n <= 4 else set()
    if local.day + 7 > monthly.monthrange(local.year, local.month)[1]:
        patterns.add((local.month, -1, local.weekday(), local.time()))
    return patterns


def _runs(changes: list[Transition]) -> list[tuple[list[Transition], tuple | None]]:
    """Group one kind of transition into runs of consecutive years that follow one yearly rule (with that rule),
    and single transitions that follow none (rule None)."""
    runs = []
    for change in changes:
        patterns = _yearly_pattern(change.local_start)
        if runs:
            run, rule_set = runs[-1]
            common = rule_set & patterns
            if common and change.local_start.year == run[-1].local_start.year + 1:
                run.append(change)
                runs[-1] = (run, common)
                continue
        runs.append(([change], patterns))
    return [(run, min(rules, key=lambda r: r[1] != -1) if len(run) > 1 else None) for run, rules in runs]


def _observance(change: Transition, *, start: datetime | None = None):
    observance = TimezoneDaylight() if change.is_daylight else TimezoneStandard()
    observance.add("dtstart", start or change.local_start)
    observance.add("tzoffsetfrom", change.offset_from)
    observance.add("tzoffsetto", change.offset_to)
    if change.name:
        observance.add("tzname", change.name)
    return observance


@lru_cache(maxsize=64)
def _build(key: str, first_year: int, last_year: int) -> bytes:
    zone = ZoneInfo(key)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    changes = transitions(zone, first_year, last_year)
    timezone = Timezone()
    timezone.add("tzid", key)
    # What is in force when the window opens, so an event before the first change reads right too.
    offset, dst, name = _state(zone, start)
    timezone.add_component(
        _observance(Transition(start, offset, offset, name or "", dst > timedelta(0)), start=datetime(first_year, 1, 1))
    )
    kinds = {}
    for change in changes:
        kinds.setdefault(change.kind, []).append(change)
    for same in kinds.values():
        singles = []
        for run, rule in _runs(same):
            if rule is None:
                singles += run
                continue
            observance = _observance(run[0])
            month, n, weekday, _time = rule
            recur = {"freq": "YEARLY", "bymonth": month, "byday": f"{n}{_WEEKDAYS[weekday]}"}
            # The zone's current rule runs on; a rule the zone dropped ends after its last change. UNTIL is UTC
            # (RFC 5545), but some readers compare it with local times: a day's margin suits both readings.
            if run[-1].local_start.year < last_year:
                recur["until"] = run[-1].at + timedelta(days=1)
            observance.add("rrule", vRecur(recur))
            timezone.add_component(observance)
        if singles:
            observance = _observance(singles[0])
            for change in singles[1:]:
                observance.add("rdate", change.local_start)  # one a line
            timezone.add_component(observance)
    return timezone.to_ical()


def vtimezone(key: str, *, first: date, last: date) -> Timezone:
    """The VTIMEZONE of zone ``key`` for events from ``first`` to ``last`` (a year's margin each side; the rule
    in force at the end goes on)."""
    return Timezone.from_ical(_build(key, first.year - 1, last.year + 1))
