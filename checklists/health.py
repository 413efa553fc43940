"""The health signals checklists gives engagements' health registry (registered in ``ChecklistsConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from engagements.health import HealthSignal, register_signal

from . import selectors

# Overdue items from which an engagement is off track (one overdue item is enough to be at risk).
OVERDUE_OFF_TRACK = 5

SIGNALS = [
    HealthSignal("overdue_items", _("overdue checklist items"), selectors.overdue_items_count, 1, OVERDUE_OFF_TRACK),
    HealthSignal(
        "unaccepted_stages_past_due",
        _("stages awaiting the client's acceptance past their due dates"),
        selectors.unaccepted_past_due_count,
        1,
        2,
    ),
    # The client's latest 1-5 score: 3 or less is at risk, 2 or less off track.
    HealthSignal("satisfaction", _("latest satisfaction score"), selectors.latest_satisfaction_score, 3, 2, True),
    HealthSignal(
        "open_rejections", _("the client's rejections not yet accepted"), selectors.open_rejections_count, 1, 2
    ),
]


def register() -> None:
    for signal in SIGNALS:
        register_signal(signal)
