"""The health signals governance gives engagements' health registry (registered in ``GovernanceConfig.ready``):

=========================================================  ============  ==============
signal                                                     at risk from  off track from
=========================================================  ============  ==============
missed meetings (ended in the last 30 days)                1             2
meetings held without minutes after 2 working days (30 d)  1             3
promises broken in the last 30 days                        1             2
=========================================================  ============  ==============

Each value is one correlated count per engagement row, so dashboards annotate them with every other signal.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from engagements.health import HealthSignal, register_signal
from engagements.models import Commitment

from .models import Meeting, MeetingStatus

WINDOW = timedelta(days=30)


def _since(today: date) -> datetime:
    return datetime.combine(today - WINDOW, time.min, tzinfo=timezone.get_current_timezone())


def _count(queryset) -> Coalesce:
    return Coalesce(
        Subquery(queryset.order_by().values("engagement_id").annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def missed_meetings(today: date):
    return _count(
        Meeting.objects.filter(engagement=OuterRef("pk"), status=MeetingStatus.MISSED, ends_at__gte=_since(today))
    )


def minutes_late(today: date):
    return _count(
        Meeting.objects.filter(
            Q(engagement=OuterRef("pk"), minutes_late_at__isnull=False, minutes_version=0, ends_at__gte=_since(today))
            & ~Q(status=MeetingStatus.MISSED)
        )
    )


def broken_promises(today: date):
    return _count(Commitment.objects.filter(engagement=OuterRef("pk"), broken_at__gte=_since(today)))


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


def _broken(value) -> str:
    return ngettext(
        "%(count)d promise was broken in the last 30 days", "%(count)d promises were broken in the last 30 days", value
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
    HealthSignal("broken_promises", _("promises broken (30 days)"), broken_promises, 1, 2, describe=_broken),
]


def register() -> None:
    for signal in SIGNALS:
        register_signal(signal)
