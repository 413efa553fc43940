"""The health signals checklists gives engagements' health registry (registered in ``ChecklistsConfig.ready``)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from engagements.health import HealthSignal, register_signal

from . import selectors

# Overdue items from which an engagement is off track (one overdue item is enough to be at risk).
OVERDUE_OFF_TRACK = 5
# The plan's forecast go-live after the target: more than 2 working days is at risk, 10 or more off track.
PLAN_BEHIND_AT_RISK = 3
PLAN_BEHIND_OFF_TRACK = 10


def _overdue(value) -> str:
    return ngettext("%(count)d checklist item is overdue", "%(count)d checklist items are overdue", value) % {
        "count": value
    }


def _unaccepted(value) -> str:
    return ngettext(
        "%(count)d stage awaits the client's acceptance past its due dates",
        "%(count)d stages await the client's acceptance past their due dates",
        value,
    ) % {"count": value}


def _satisfaction(value) -> str:
    return _("the client's latest satisfaction score is %(score)s of 5") % {"score": value}


def _rejections(value) -> str:
    return ngettext(
        "%(count)d rejection by the client is still open",
        "%(count)d rejections by the client are still open",
        value,
    ) % {"count": value}


def _plan_behind(value) -> str:
    return ngettext(
        "the forecast go-live is %(count)d working day after the target",
        "the forecast go-live is %(count)d working days after the target",
        value,
    ) % {"count": value}


SIGNALS = [
    HealthSignal(
        "plan_behind",
        _("forecast go-live after the target"),
        selectors.plan_behind_days,
        PLAN_BEHIND_AT_RISK,
        PLAN_BEHIND_OFF_TRACK,
        describe=_plan_behind,
    ),
    HealthSignal(
        "overdue_items",
        _("overdue checklist items"),
        selectors.overdue_items_count,
        1,
        OVERDUE_OFF_TRACK,
        describe=_overdue,
    ),
    HealthSignal(
        "unaccepted_stages_past_due",
        _("stages awaiting the client's acceptance past their due dates"),
        selectors.unaccepted_past_due_count,
        1,
        2,
        describe=_unaccepted,
    ),
    # The client's latest 1-5 score: 3 or less is at risk, 2 or less off track.
    HealthSignal(
        "satisfaction",
        _("latest satisfaction score"),
        selectors.latest_satisfaction_score,
        3,
        2,
        True,
        describe=_satisfaction,
    ),
    # A rejection the client has not taken back by accepting again: one is at risk, two are off track.
    HealthSignal(
        "open_rejections",
        _("the client's rejections not yet accepted"),
        selectors.open_rejections_count,
        1,
        2,
        describe=_rejections,
    ),
]


def register() -> None:
    for signal in SIGNALS:
        register_signal(signal)
