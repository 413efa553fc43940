"""What a flag's timers count in, loaded for many engagements at once (a constant number of queries).

``coverage_for(engagement_ids)`` gives each engagement's ``Coverage``: its escalation path's rules (levels, their
deadlines per severity, re-notification, breach-warning share, client-update interval), the schedule its deadlines
count in (its business calendar, or every hour for a 24/7 engagement), its business hours (which decide when the
person on duty is called first on a 24/7 engagement), its on-call rota and its contract's own targets.

A flag keeps the path it was raised under (``RedFlag.path``): ``rules_for_paths`` loads those by id.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Prefetch

from engagements.working_days import WorkCalendar

from .business_time import Schedule
from .models import (
    BusinessCalendar,
    ContractTarget,
    EngagementCoverage,
    EscalationLevel,
    EscalationPath,
    Holiday,
    LevelTarget,
    WorkingWindow,
)

# When no calendar exists at all (every calendar deleted in the admin): count around the clock rather than fail.
FALLBACK_ZONE = "UTC"


class MisconfiguredPath(Exception):
    """A path lacks a level or a deadline a flag needs; the sweep backs the flag off and records this."""


@dataclass(frozen=True)
class LevelRules:
    level_id: int
    position: int
    name: str
    responsible: str
    person_id: int | None
    notify_roles: tuple[str, ...]
    notify_people: tuple[int, ...]
    targets: dict  # severity -> (acknowledge within, resolve within)

    def deadlines(self, severity: str) -> tuple[timedelta, timedelta]:
        try:
            return self.targets[severity]
        except KeyError:
            raise MisconfiguredPath(f"Level {self.position} ({self.name}) has no deadline for {severity}.") from None


@dataclass(frozen=True)
class PathRules:
    path_id: int
    name: str
    warning_share: float
    renotify_every: timedelta
    renotify_max: int
    update_every: dict  # severity -> timedelta
    auto_close_after: timedelta
    levels: dict  # position -> LevelRules

    @property
    def last_level(self) -> int:
        return max(self.levels) if self.levels else 1

    def level(self, position: int) -> LevelRules:
        try:
            return self.levels[position]
        except KeyError:
            raise MisconfiguredPath(f"The path {self.name!r} has no level {position}.") from None

    def next_level(self, position: int) -> int | None:
        later = [p for p in self.levels if p > position]
        return min(later) if later else None


@dataclass
class Coverage:
    engagement_id: int
    path: PathRules
    clock: Schedule
    hours: Schedule
    around_the_clock: bool
    rota_id: int | None
    contract: list = field(default_factory=list)  # (severity, valid_from, valid_until, acknowledge, resolve)

    @property
    def zone(self) -> ZoneInfo:
        return self.clock.zone

    def targets(self, *, path: PathRules, level: int, severity: str, on: date) -> tuple[timedelta, timedelta]:
        """A level's deadlines for a severity; at the first level the contract's targets valid ``on`` win."""
        if level == min(path.levels, default=1):
            for contract_severity, valid_from, valid_until, acknowledge, resolve in self.contract:
                if contract_severity == severity and valid_from <= on and (valid_until is None or on <= valid_until):
                    return acknowledge, resolve
        return path.level(level).deadlines(severity)


def _path_rules(path: EscalationPath) -> PathRules:
    levels = {}
    for level in path.levels.all():
        levels[level.position] = LevelRules(
            level_id=level.pk,
            position=level.position,
            name=level.name,
            responsible=level.responsible,
            person_id=level.person_id,
            notify_roles=tuple(level.notify_roles or ()),
            notify_people=tuple(person.pk for person in level.notify_people.all()),
            targets={t.severity: (t.acknowledge_within, t.resolve_within) for t in level.targets.all()},
        )
    return PathRules(
        path_id=path.pk,
        name=path.name,
        warning_share=path.warning_share,
        renotify_every=path.renotify_every,
        renotify_max=path.renotify_max,
        update_every={s: path.update_every(s) for s in ("critical", "high", "normal")},
        auto_close_after=timedelta(days=path.auto_close_days),
        levels=levels,
    )


def rules_for_paths(path_ids) -> dict[int, PathRules]:
    paths = EscalationPath.objects.filter(pk__in=set(path_ids)).prefetch_related(
        Prefetch("levels", queryset=EscalationLevel.objects.order_by("position")),
        Prefetch("levels__targets", queryset=LevelTarget.objects.all()),
        "levels__notify_people",
    )
    return {path.pk: _path_rules(path) for path in paths}


def default_path() -> EscalationPath | None:
    return EscalationPath.objects.filter(is_default=True).first() or EscalationPath.objects.order_by("pk").first()


def schedules_for(calendar_ids) -> dict[int, Schedule]:
    calendars = BusinessCalendar.objects.filter(pk__in=set(calendar_ids)).prefetch_related(
        Prefetch("windows", queryset=WorkingWindow.objects.all()),
        Prefetch("holidays", queryset=Holiday.objects.only("calendar_id", "date")),
    )
    return {
        calendar.pk: calendar.schedule(
            windows=calendar.windows.all(), holidays=[h.date for h in calendar.holidays.all()]
        )
        for calendar in calendars
    }


def coverage_for(engagement_ids, *, path_rules: dict | None = None) -> dict[int, Coverage]:
    """Each engagement's coverage (see the module docstring), in a constant number of queries."""
    engagement_ids = set(engagement_ids)
    if not engagement_ids:
        return {}
    settings_rows = {
        row.engagement_id: row for row in EngagementCoverage.objects.filter(engagement_id__in=engagement_ids)
    }
    fallback_path = None
    if any(row.path_id is None for row in settings_rows.values()) or len(settings_rows) < len(engagement_ids):
        fallback_path = default_path()
    fallback_calendar = BusinessCalendar.objects.filter(is_default=True).values_list("pk", flat=True).first()
    if fallback_calendar is None:
        fallback_calendar = BusinessCalendar.objects.order_by("pk").values_list("pk", flat=True).first()

    path_ids = {row.path_id for row in settings_rows.values() if row.path_id}
    if fallback_path is not None:
        path_ids.add(fallback_path.pk)
    rules = dict(path_rules or {})
    missing = path_ids - set(rules)
    if missing:
        rules.update(rules_for_paths(missing))
    calendar_ids = {row.calendar_id for row in settings_rows.values() if row.calendar_id}
    if fallback_calendar is not None:
        calendar_ids.add(fallback_calendar)
    schedules = schedules_for(calendar_ids)
    contracts: dict[int, list] = {}
    for target in ContractTarget.objects.filter(engagement_id__in=engagement_ids).order_by("-valid_from"):
        contracts.setdefault(target.engagement_id, []).append(
            (target.severity, target.valid_from, target.valid_until, target.acknowledge_within, target.resolve_within)
        )

    result = {}
    for engagement_id in engagement_ids:
        row = settings_rows.get(engagement_id)
        path_id = (row.path_id if row else None) or (fallback_path.pk if fallback_path else None)
        calendar_id = (row.calendar_id if row else None) or fallback_calendar
        hours = schedules.get(calendar_id) or Schedule.around_the_clock(FALLBACK_ZONE)
        around_the_clock = bool(row and row.around_the_clock)
        result[engagement_id] = Coverage(
            engagement_id=engagement_id,
            path=rules.get(path_id) if path_id else None,
            clock=Schedule.around_the_clock(hours.zone) if around_the_clock else hours,
            hours=hours,
            around_the_clock=around_the_clock,
            rota_id=row.rota_id if row else None,
            contract=contracts.get(engagement_id, []),
        )
    return result


def coverage_of(engagement_id: int) -> Coverage:
    return coverage_for([engagement_id])[engagement_id]


def work_calendars_for(engagement_ids) -> dict:
    """The working days of each engagement's plan, from its business calendar (the weekdays with a working window,
    less its holidays); registered with ``engagements.hooks.register_work_calendars``. A 24/7 engagement's plan
    still counts its business calendar's days: people, not the support line, do the checklist."""
    result = {}
    for engagement_id, coverage in coverage_for(engagement_ids).items():
        hours = coverage.hours
        if hours.always:
            continue  # No business calendar at all: the default rule applies.
        weekdays = [weekday for weekday in range(7) if hours.windows.get(weekday)]
        result[engagement_id] = WorkCalendar(weekdays=weekdays, holidays=hours.holidays)
    return result
