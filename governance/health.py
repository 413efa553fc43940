"""The health signals governance gives engagements' health registry (registered in ``GovernanceConfig.ready``;
the promise ledger's broken promises are engagements' own, ``engagements/promises.py``):

=========================================================  ============  ==============
signal                                                     at risk from  off track from
=========================================================  ============  ==============
missed meetings (ended in the last 30 days)                1             2
meetings held without minutes after 2 working days (30 d)  1             3
=========================================================  ============  ==============

Each value is one correlated count per engagement row, so dashboards annotate them with every other signal.
"""

from datetime import date, datetime, timedelta

from django.db.models import OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from engagements.health import HealthSignal, count_per_engagement, register_signal, window_start

from .models import Meeting, MeetingStatus

WINDOW = timedelta(days=30)


def _since(today: date) -> datetime:
    return window_start(today, WINDOW)


def missed_meetings(today: date):
    return count_per_engagement(
        Meeting.objects.filter(engagement=OuterRef("pk"), status=MeetingStatus.MISSED, ends_at__gte=_since(today))
    )


def minutes_late(today: date):
    return count_per_engagement(
        Meeting.objects.filter(
            Q(engagement=OuterRef("pk"), minutes_late_at__isnull=False, minutes_version=0, ends_at__gte=_since(today))
            & ~Q(status=MeetingStatus.MISSED)
        )
    )


def _missed(value) -> str:
    return ngettext(
        "%(count)d meeting was missed in the last 30 days", "%(count)d meetings were missed in the last 30 days", value
    ) % {"count": value}


def _minutes_late(value) -> str:
    return ngettext(
        "%(count)d meeting has no minutes 2 working days after it",
        "%(count)d meetings have no minutes 2 working days after them",
        value,
    ) % {"count": value}


SIGNALS = [
    HealthSignal("missed_meetings", _("missed meetings (30 days)"), missed_meetings, 1, 2, describe=_missed),
    HealthSignal(
        "minutes_late",
        _("meetings without minutes after 2 working days"),
        minutes_late,
        1,
        3,
        describe=_minutes_late,
    ),
]


def register() -> None:
    for signal in SIGNALS:
        register_signal(signal)
