"""Engagement health (on track / at risk / off track): the ONE place that decides it, from signals that the apps
above register in their ``AppConfig.ready()``.

A signal is a number per engagement with two thresholds (``HealthSignal``): checklists registers overdue items,
stages awaiting acceptance past due, the latest satisfaction score and the client's open rejections; engagements'
promise ledger (broken promises), governance (missed meetings, late minutes) and escalations (open red flags, the
gravest weighed by severity and level) add theirs the same way. Each signal gives ONE SQL expression for its value
(correlated to the engagement row), so:

- lists annotate every signal and the health itself in the database (``with_health``), so a dashboard can filter
  and sort by health in a constant number of queries, whatever the number of engagements;
- a single engagement's health is the same annotation on that one row (``health_of``, one query), read back
  through the same thresholds in Python (``engagement_health``).

The thresholds are data, applied by ``_level`` in Python and by ``health_expression`` in SQL;
``test_health`` checks the two agree for every registered signal. The worst level wins.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import models
from django.db.models import Case, Count, IntegerField, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Engagement


class Health(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")


HEALTH_BADGE = {Health.ON_TRACK: "success", Health.AT_RISK: "warning", Health.OFF_TRACK: "danger"}
_RANK = {Health.ON_TRACK: 0, Health.AT_RISK: 1, Health.OFF_TRACK: 2}


@dataclass(frozen=True)
class HealthSignal:
    """One signal: ``value(today)`` is an SQL expression giving the signal's number for the engagement row it is
    annotated on (``OuterRef("pk")``); ``None`` (no value, e.g. no score yet) never signals.

    ``at_risk`` / ``off_track`` are where the levels start; with ``low_is_bad`` they are upper bounds instead
    (a satisfaction score of 3 or less is at risk)."""

    name: str
    label: str
    value: Callable[[date], models.Expression]
    at_risk: int
    off_track: int
    low_is_bad: bool = False
    # ``describe(value) -> str``: the reason for a badge as a translated sentence with its plural forms
    # ("3 checklist items are overdue"). Required: every badge's reasons read alike, never "<label>: <value>".
    describe: Callable[..., str] = field(kw_only=True)
    # ``detail(today)``: an optional second SQL expression (annotated as ``<name>_detail``) that the reason needs
    # besides the number, e.g. which red flag weighs most and where it stands; ``describe(value, detail)`` then.
    detail: Callable[[date], models.Expression] | None = field(default=None, kw_only=True)

    @property
    def detail_name(self) -> str:
        return f"{self.name}_detail"

    def reason(self, value, detail=None) -> str:
        return str(self.describe(value, detail) if self.detail is not None else self.describe(value))


@dataclass(frozen=True)
class HealthReason:
    """Why an engagement is not on track: one signal past its threshold, in words, and how bad it is."""

    signal: str
    text: str
    level: str

    @property
    def badge(self) -> str:
        return HEALTH_BADGE[Health(self.level)]


_signals: dict[str, HealthSignal] = {}


def window_start(today: date, window: timedelta) -> datetime:
    """The start of a signal's window of days ending ``today`` ("in the last 30 days"): midnight, local time."""
    return datetime.combine(today - window, time.min, tzinfo=timezone.get_current_timezone())


def count_per_engagement(queryset) -> Coalesce:
    """A signal's value from rows with an ``engagement`` correlated to the row (``OuterRef("pk")``): how many
    there are, 0 when none."""
    return Coalesce(
        Subquery(queryset.order_by().values("engagement_id").annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def register_signal(signal: HealthSignal) -> HealthSignal:
    """Add (or replace, by name) a signal; apps call it from ``AppConfig.ready()``."""
    _signals[signal.name] = signal
    return signal


def signals() -> list[HealthSignal]:
    return list(_signals.values())


def annotations(today: date) -> dict:
    """Every signal's value (and its detail, for the signals that have one) as SQL, by annotation name."""
    values = {}
    for name, signal in _signals.items():
        values[name] = signal.value(today)
        if signal.detail is not None:
            values[signal.detail_name] = signal.detail(today)
    return values


def value_names() -> list[str]:
    """The names ``annotations`` gives: what a list must read back to give each row's health and reasons."""
    names = []
    for name, signal in _signals.items():
        names.append(name)
        if signal.detail is not None:
            names.append(signal.detail_name)
    return names


def _level(signal: HealthSignal, value) -> Health:
    if value is None:
        return Health.ON_TRACK
    if signal.low_is_bad:
        if value <= signal.off_track:
            return Health.OFF_TRACK
        return Health.AT_RISK if value <= signal.at_risk else Health.ON_TRACK
    if value >= signal.off_track:
        return Health.OFF_TRACK
    return Health.AT_RISK if value >= signal.at_risk else Health.ON_TRACK


def engagement_health(**values) -> Health:
    """Health from signal values by name (registered signals not given count as no signal)."""
    levels = [_level(signal, values.get(name)) for name, signal in _signals.items()]
    return max(levels, key=_RANK.__getitem__, default=Health.ON_TRACK)


def health_reasons(**values) -> list[HealthReason]:
    """The reasons behind the health ``engagement_health(**values)`` gives, worst first: every registered signal
    past its at-risk threshold, in words. The same thresholds as the health itself (``_level``), so a badge and
    its reasons never disagree."""
    reasons = []
    for name, signal in _signals.items():
        level = _level(signal, values.get(name))
        if level != Health.ON_TRACK:
            text = signal.reason(values.get(name), values.get(signal.detail_name))
            reasons.append((_RANK[level], HealthReason(name, text, level.value)))
    return [reason for _rank, reason in sorted(reasons, key=lambda pair: -pair[0])]


def risk_rank(**values) -> tuple:
    """How much attention an engagement needs, for sorting "by risk": the health first, then the number of signals
    past their thresholds and how far (bigger is riskier). The same numbers as ``health_reasons``."""
    health = engagement_health(**values)
    reasons = health_reasons(**values)
    return (_RANK[health], sum(_RANK[Health(r.level)] for r in reasons), len(reasons))


def health_expression() -> Case:
    """The same rules as ``engagement_health``, in SQL over the annotations ``with_health`` adds."""

    def reached(level: str) -> Q:
        q = Q(pk__in=[])
        for name, signal in _signals.items():
            threshold = signal.off_track if level == "off_track" else signal.at_risk
            q |= Q(**{f"{name}__lte" if signal.low_is_bad else f"{name}__gte": threshold})
        return q

    return Case(
        When(reached("off_track"), then=Value(Health.OFF_TRACK.value)),
        When(reached("at_risk"), then=Value(Health.AT_RISK.value)),
        default=Value(Health.ON_TRACK.value),
        output_field=models.CharField(),
    )


def with_health(queryset, *, today: date):
    """Engagements annotated with every signal (by its name) and ``health``."""
    queryset = queryset.annotate(**annotations(today))
    return queryset.annotate(health=health_expression())


def health_of(engagement, *, today: date) -> tuple[Health, dict]:
    """One engagement's health and its signal values, in one query."""
    values = annotations(today)
    row = Engagement.objects.filter(pk=engagement.pk).annotate(**values).values(*values).get() if values else {}
    return engagement_health(**row), row
