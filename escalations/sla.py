"""SLA figures: the ONE module that measures red flags against their targets. Every duration is business time in
the engagement's clock (its calendar, or every hour for a 24/7 engagement: ``coverage.Coverage.clock``), counted by
``business_time``.

Per flag (``measure``):

- time to first response: from raising to the first acknowledgement or client-visible update, minus the time
  paused at the client's request in between;
- time to resolution: from raising to its (latest) resolution, minus the time paused in between;
- time paused at the client's request: every pause (waiting on the client), a running one up to now;
- within target: a response (resolution) within the flag's response (resolution) target, which is the contract's
  when one was valid on the day it was raised, else the path's first level (``RedFlag.response_target``). A flag
  still waiting for its response (resolution) counts as missed once the target has passed, and is left out of
  the share until then (it may still make it).

Flags marked as duplicates are left out: the vendor works the flag they duplicate.

Grouped (``sla_report``) by month (the month the flag was raised in, on its engagement's calendar) and severity,
within a scope: overall, per client or per engagement. A group's share within target is within / decided, its
times are the means of the flags that have one.

Hand-worked examples are in ``escalations/tests/test_sla.py``.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from exports.csv_files import csv_writer

from .coverage import coverage_for
from .models import FlagPause, FlagStatus, RedFlag, Severity

SCOPES = ("overall", "client", "engagement")


@dataclass(frozen=True)
class FlagMeasure:
    flag_id: int
    engagement_id: int
    client_id: int
    month: date
    severity: str
    response: timedelta | None
    resolution: timedelta | None
    paused: timedelta
    response_within: bool | None  # None: not decided yet
    resolution_within: bool | None


def measure(flag: RedFlag, *, clock, pauses, now) -> FlagMeasure:
    """One flag's figures (see the module docstring). ``pauses``: (start, end or None) pairs; ``clock``: the
    engagement's ``business_time.Schedule``."""
    intervals = [(start, end or now) for start, end in pauses]

    def elapsed(until):
        return clock.between(flag.raised_at, until, excluding=intervals)

    def decided(done_at, target):
        if done_at is not None:
            value = elapsed(done_at)
            return value, value <= target
        return None, (False if elapsed(now) > target else None)

    response, response_within = decided(flag.first_response_at, flag.response_target)
    resolution_at = flag.resolved_at if flag.status in (FlagStatus.RESOLVED, FlagStatus.CLOSED) else None
    resolution, resolution_within = decided(resolution_at, flag.resolution_target)
    paused = sum((clock.between(start, end) for start, end in intervals), timedelta(0))
    return FlagMeasure(
        flag_id=flag.pk,
        engagement_id=flag.engagement_id,
        client_id=flag.engagement.client_id,
        month=flag.sla_month,
        severity=flag.severity,
        response=response,
        resolution=resolution,
        paused=paused,
        response_within=response_within,
        resolution_within=resolution_within,
    )


@dataclass
class Figures:
    """Aggregated figures of a group of flags."""

    flags: int = 0
    responses: list = field(default_factory=list)
    resolutions: list = field(default_factory=list)
    responses_within: int = 0
    responses_decided: int = 0
    resolutions_within: int = 0
    resolutions_decided: int = 0
    paused: timedelta = timedelta(0)

    def add(self, m: FlagMeasure) -> None:
        self.flags += 1
        if m.response is not None:
            self.responses.append(m.response)
        if m.resolution is not None:
            self.resolutions.append(m.resolution)
        if m.response_within is not None:
            self.responses_decided += 1
            self.responses_within += m.response_within
        if m.resolution_within is not None:
            self.resolutions_decided += 1
            self.resolutions_within += m.resolution_within
        self.paused += m.paused

    @staticmethod
    def _mean(values) -> timedelta | None:
        return sum(values, timedelta(0)) / len(values) if values else None

    @property
    def mean_response(self) -> timedelta | None:
        return self._mean(self.responses)

    @property
    def mean_resolution(self) -> timedelta | None:
        return self._mean(self.resolutions)

    @property
    def response_share(self) -> float | None:
        """Share (0-100) of decided responses within target; None while none is decided."""
        return 100 * self.responses_within / self.responses_decided if self.responses_decided else None

    @property
    def resolution_share(self) -> float | None:
        return 100 * self.resolutions_within / self.resolutions_decided if self.resolutions_decided else None


@dataclass
class Row:
    scope_id: int | None
    scope_name: str
    month: date
    severity: str
    figures: Figures

    @property
    def severity_label(self):
        return Severity(self.severity).label


@dataclass
class Report:
    scope: str
    rows: list  # Row, by scope name, month (newest first), severity (critical first)
    total: Figures
    by_severity: dict  # severity -> Figures


def measures(flags: QuerySet, *, now=None) -> list[FlagMeasure]:
    """Measure every flag of ``flags`` (duplicates left out) in a constant number of queries."""
    now = now or timezone.now()
    flags = list(flags.exclude(status=FlagStatus.DUPLICATE).select_related("engagement"))
    pauses = defaultdict(list)
    for flag_id, start, end in FlagPause.objects.filter(flag_id__in=[f.pk for f in flags]).values_list(
        "flag_id", "started_at", "ended_at"
    ):
        pauses[flag_id].append((start, end))
    coverage = coverage_for({f.engagement_id for f in flags})
    return [measure(f, clock=coverage[f.engagement_id].clock, pauses=pauses[f.pk], now=now) for f in flags]


_SEVERITY_ORDER = {s: n for n, s in enumerate(Severity.values)}


def sla_report(flags: QuerySet, *, scope: str = "overall", now=None) -> Report:
    """Figures by month and severity within ``scope`` (overall, per client or per engagement)."""
    if scope not in SCOPES:
        raise ValueError(f"Unknown scope {scope!r}")
    names = {}
    if scope != "overall":
        for flag in (
            flags.select_related("engagement__client")
            .only("engagement__name", "engagement__client__name", "engagement_id")
            .distinct()
        ):
            engagement = flag.engagement
            names[engagement.pk if scope == "engagement" else engagement.client_id] = (
                str(engagement) if scope == "engagement" else engagement.client.name
            )
    groups: dict[tuple, Figures] = defaultdict(Figures)
    total, by_severity = Figures(), defaultdict(Figures)
    for m in measures(flags, now=now):
        scope_id = {"overall": None, "client": m.client_id, "engagement": m.engagement_id}[scope]
        groups[(scope_id, m.month, m.severity)].add(m)
        total.add(m)
        by_severity[m.severity].add(m)
    rows = [
        Row(scope_id=key[0], scope_name=names.get(key[0], ""), month=key[1], severity=key[2], figures=figures)
        for key, figures in groups.items()
    ]
    rows.sort(key=lambda r: (r.scope_name, -r.month.toordinal(), _SEVERITY_ORDER[r.severity]))
    return Report(
        scope=scope,
        rows=rows,
        total=total,
        by_severity={s: by_severity[s] for s in Severity.values if s in by_severity},
    )


def _hours(value: timedelta | None) -> str:
    return "" if value is None else f"{value.total_seconds() / 3600:.2f}"


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


CSV_HEADER = [
    "scope",
    "month",
    "severity",
    "flags",
    "mean_first_response_hours",
    "first_responses_within_target_percent",
    "mean_resolution_hours",
    "resolutions_within_target_percent",
    "paused_at_client_request_hours",
]


def csv_rows(report: Report):
    """The report as CSV rows (business hours, shares in percent), machine-readable: codes and ISO months."""
    yield CSV_HEADER
    for row in report.rows:
        f = row.figures
        yield [
            row.scope_name or "overall",
            row.month.strftime("%Y-%m"),
            row.severity,
            f.flags,
            _hours(f.mean_response),
            _share(f.response_share),
            _hours(f.mean_resolution),
            _share(f.resolution_share),
            _hours(f.paused),
        ]


def write_csv(report: Report, stream) -> None:
    """The report as CSV into ``stream``, every cell through ``safe_cell`` (a name typed as a formula stays text)."""
    csv_writer(stream).writerows(csv_rows(report))
