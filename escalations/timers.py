"""A red flag's timers: how each step of its life sets them. Pure functions on a flag (no queries, no saving), used
by the services (one flag, under its row lock) and by the sweep (a batch of locked flags) alike, so that both
compute the same deadlines.

The timers are absolute UTC instants in the flag's columns (``models.TIMER_FIELDS``); ``next_due_at`` is the
earliest of them and is what the sweep's partial index orders by. All durations are business time in the
engagement's clock (``Coverage.clock``), except the auto-close delay, which is calendar days.

==================  ==========================================================================================
step                timers
==================  ==========================================================================================
enter a level       acknowledge and resolve deadlines from now, with their breach warnings (the path's share):
                    ``deadlines_for`` and ``entry_state``, which the sweep's SQL path writes too
acknowledge         the acknowledge deadline stops; the client-update timer starts if it is not running
client update       the client-update timer (and its warning) restarts from now
pause               the business time left on every running timer is kept; all timers stop
resume              every kept timer restarts with the time it had left
resolve             all timers stop; the flag closes itself after the path's delay unless the client acts
close / duplicate   all timers stop
severity raised     each running (or paused) acknowledge, resolve and update timer becomes the earlier of what it
                    was and the new severity's target counted from now: never later, at most the new window
==================  ==========================================================================================
"""

from datetime import date, datetime, timedelta
from typing import NamedTuple

from .coverage import Coverage, PathRules
from .models import TIMER_FIELDS, RedFlag

# Paused timers: all but the auto-close (a resolved flag is never paused).
PAUSABLE = tuple(name for name in TIMER_FIELDS if name != "auto_close_at")


def raise_day(flag: RedFlag, coverage: Coverage) -> date:
    """The day the flag was raised on the engagement's calendar: contract targets valid that day apply."""
    return flag.raised_at.astimezone(coverage.zone).date()


class Deadlines(NamedTuple):
    """A level's deadlines from the moment it is entered, with their breach warnings (the flag's columns)."""

    ack_due_at: datetime
    ack_warn_at: datetime
    resolve_due_at: datetime
    resolve_warn_at: datetime


def deadlines_for(*, level: int, severity: str, coverage: Coverage, path: PathRules, now, on: date, cache=None):
    """The deadlines of ``level`` entered at ``now`` for ``severity``: its targets (at the first level the contract's
    valid ``on``, the raise day), counted in the engagement's clock, each warning at the path's share. ``cache`` (a
    dict a caller keeps for one ``now``) shares the clock arithmetic between engagements counting in one calendar."""
    acknowledge, resolve = coverage.targets(path=path, level=level, severity=severity, on=on)
    clock, share = coverage.clock, path.warning_share
    key = (id(clock), acknowledge, resolve, share, now)
    found = cache.get(key) if cache is not None else None
    if found is None:
        found = Deadlines(
            clock.add(now, acknowledge),
            clock.scaled(now, acknowledge, share),
            clock.add(now, resolve),
            clock.scaled(now, resolve, share),
        )
        if cache is not None:
            cache[key] = found
    return found


def entry_state(level: int, deadlines: Deadlines, now) -> dict:
    """The columns a flag entering ``level`` at ``now`` takes (the SQL path writes the same ones)."""
    return {
        "level": level,
        "level_entered_at": now,
        "level_acknowledged_at": None,
        "renotify_count": 0,
        "renotify_at": None,
        **deadlines._asdict(),
    }


def enter_level(flag: RedFlag, *, level: int, coverage: Coverage, path: PathRules, now) -> None:
    deadlines = deadlines_for(
        level=level, severity=flag.severity, coverage=coverage, path=path, now=now, on=raise_day(flag, coverage)
    )
    for name, value in entry_state(level, deadlines, now).items():
        setattr(flag, name, value)
    flag.refresh_next_due()


def start_update_timer(flag: RedFlag, *, coverage: Coverage, path: PathRules, now) -> None:
    every = path.update_every[flag.severity]
    flag.update_due_at = coverage.clock.add(now, every)
    flag.update_warn_at = coverage.clock.scaled(now, every, path.warning_share)
    flag.refresh_next_due()


def acknowledge(flag: RedFlag, *, coverage: Coverage, path: PathRules, now) -> None:
    flag.level_acknowledged_at = now
    flag.ack_due_at = flag.ack_warn_at = flag.renotify_at = None
    if flag.first_response_at is None:
        flag.first_response_at = now
    if flag.update_due_at is None:
        start_update_timer(flag, coverage=coverage, path=path, now=now)
    flag.refresh_next_due()


def pause(flag: RedFlag, *, coverage: Coverage, now) -> None:
    remaining = {}
    for name in PAUSABLE:
        value = getattr(flag, name)
        if value is not None:
            remaining[name] = int(coverage.clock.between(now, value).total_seconds())
            setattr(flag, name, None)
    flag.paused_remaining = remaining
    flag.paused_at = now
    flag.refresh_next_due()


def resume(flag: RedFlag, *, coverage: Coverage, now) -> timedelta:
    """Restart the kept timers; returns the business time the pause lasted (added to ``paused_total``)."""
    for name, seconds in (flag.paused_remaining or {}).items():
        if name in PAUSABLE:
            setattr(flag, name, coverage.clock.add(now, timedelta(seconds=seconds)))
    paused = coverage.clock.between(flag.paused_at, now) if flag.paused_at else timedelta(0)
    flag.paused_total += paused
    flag.paused_at = None
    flag.paused_remaining = {}
    flag.refresh_next_due()
    return paused


def stop_all(flag: RedFlag) -> None:
    for name in TIMER_FIELDS:
        setattr(flag, name, None)
    flag.paused_remaining = {}
    flag.refresh_next_due()


def resolve(flag: RedFlag, *, path: PathRules, now) -> None:
    stop_all(flag)
    flag.auto_close_at = now + path.auto_close_after
    flag.refresh_next_due()


def renotify(flag: RedFlag, *, coverage: Coverage, path: PathRules, now) -> None:
    """One more reminder at the last level; the next one is due after the interval, up to the path's maximum."""
    flag.ack_due_at = flag.ack_warn_at = None
    flag.renotify_count += 1
    flag.renotify_at = coverage.clock.add(now, path.renotify_every) if flag.renotify_count < path.renotify_max else None
    flag.refresh_next_due()


def raise_severity(flag: RedFlag, *, severity: str, coverage: Coverage, path: PathRules, now) -> None:
    """The flag takes a higher ``severity`` (a more urgent duplicate joined it): its first-level targets become the
    new severity's, and each timer still counting is capped at the new severity's window from now, so a deadline
    only ever moves earlier. A paused flag's kept business time is capped the same way."""
    flag.severity = severity
    first, day = min(path.levels, default=flag.level), raise_day(flag, coverage)
    flag.response_target, flag.resolution_target = coverage.targets(path=path, level=first, severity=severity, on=day)
    acknowledge, resolve = coverage.targets(path=path, level=flag.level, severity=severity, on=day)
    windows = {
        ("ack_due_at", "ack_warn_at"): acknowledge,
        ("resolve_due_at", "resolve_warn_at"): resolve,
        ("update_due_at", "update_warn_at"): path.update_every[severity],
    }
    clock, share = coverage.clock, path.warning_share
    if flag.paused_at is not None:
        kept = dict(flag.paused_remaining or {})
        for (due, warn), window in windows.items():
            if due in kept and kept[due] > window.total_seconds():
                kept[due] = int(window.total_seconds())
                kept[warn] = int(window.total_seconds() * share)
        flag.paused_remaining = kept
    else:
        for (due, warn), window in windows.items():
            current = getattr(flag, due)
            capped = clock.add(now, window)
            if current is not None and capped < current:
                setattr(flag, due, capped)
                setattr(flag, warn, clock.scaled(now, window, share))
    flag.refresh_next_due()
