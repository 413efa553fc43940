"""Engagement health: the ONE place that decides on track / at risk / off track.

``engagement_health`` is a pure function of counts, so the dashboard can compute it for many
engagements from annotations (no extra queries) and other apps can add their signals:

- ``open_red_flags`` (escalations app) and ``missed_meetings`` (governance app) default to 0
  until those apps pass them in; see ``engagements.selectors.with_health_signals``.

Rules (the worst one wins):

=====================================  ==============  ===============
signal                                 at risk from    off track from
=====================================  ==============  ===============
overdue checklist items                1               OVERDUE_OFF_TRACK (5)
stages awaiting acceptance past due    1               2
latest satisfaction score (1-5)        3 or less       2 or less
open red flags                         1               2
missed meetings (last 30 days)         1               2
=====================================  ==============  ===============
"""

from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _

OVERDUE_OFF_TRACK = 5

# signal -> (at risk from, off track from). Satisfaction is the other way round (low is bad).
THRESHOLDS = {
    "overdue_items": (1, OVERDUE_OFF_TRACK),
    "unaccepted_stages_past_due": (1, 2),
    "open_red_flags": (1, 2),
    "missed_meetings": (1, 2),
}
SATISFACTION_AT_RISK, SATISFACTION_OFF_TRACK = 3, 2


class Health(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")


HEALTH_BADGE = {Health.ON_TRACK: "success", Health.AT_RISK: "warning", Health.OFF_TRACK: "danger"}
_RANK = {Health.ON_TRACK: 0, Health.AT_RISK: 1, Health.OFF_TRACK: 2}


def _level(value, at_risk, off_track):
    if value >= off_track:
        return Health.OFF_TRACK
    if value >= at_risk:
        return Health.AT_RISK
    return Health.ON_TRACK


def engagement_health(
    *,
    overdue_items: int,
    unaccepted_stages_past_due: int,
    satisfaction: int | None = None,
    open_red_flags: int = 0,
    missed_meetings: int = 0,
) -> Health:
    """Health of an engagement from its signals; see the module docstring for the thresholds."""
    signals = {
        "overdue_items": overdue_items,
        "unaccepted_stages_past_due": unaccepted_stages_past_due,
        "open_red_flags": open_red_flags,
        "missed_meetings": missed_meetings,
    }
    levels = [_level(signals[name] or 0, *THRESHOLDS[name]) for name in THRESHOLDS]
    if satisfaction is not None:
        levels.append(_level(-satisfaction, -SATISFACTION_AT_RISK, -SATISFACTION_OFF_TRACK))
    return max(levels, key=_RANK.__getitem__)


def health_expression(**signal_fields) -> Case:
    """The same rules as ``engagement_health``, as SQL over annotated signal columns, so lists can
    filter and sort by health in the database. Pass ``signal=annotation_name`` for each signal
    annotated (``satisfaction`` included); signals not passed count as 0."""

    def over(level):
        q = Q(pk__in=[])
        for name, thresholds in THRESHOLDS.items():
            if name in signal_fields:
                q |= Q(**{f"{signal_fields[name]}__gte": thresholds[level]})
        if "satisfaction" in signal_fields:
            limit = (SATISFACTION_AT_RISK, SATISFACTION_OFF_TRACK)[level]
            q |= Q(**{f"{signal_fields['satisfaction']}__lte": limit})
        return q

    return Case(
        When(over(1), then=Value(Health.OFF_TRACK.value)),
        When(over(0), then=Value(Health.AT_RISK.value)),
        default=Value(Health.ON_TRACK.value),
        output_field=models.CharField(),
    )
