"""What the promise ledger adds to engagements' registries (registered in ``EngagementsConfig.ready``): its health
signal and its list on "My work". The ledger's writes are in ``services/promises.py`` (with
``promise_record``) and ``services/promise_notices.py`` (the reminder and the broken-promise sweep), its reads in
``selectors.py`` (the ledger, the kept-on-time rates).

=========================================================  ============  ==============
signal                                                     at risk from  off track from
=========================================================  ============  ==============
promises broken in the last 30 days                        1             2
=========================================================  ============  ==============
"""

from datetime import date, datetime, time, timedelta

from django.db.models import F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import policy
from .health import HealthSignal, count_per_engagement, register_signal, window_start
from .models import Phase, Promise, PromiseStatus, Side
from .work import DUE_SOON_DAYS, WorkEntry, WorkList, WorkResult, engagement_link, register_list, result_of

HEALTH_WINDOW = timedelta(days=30)


def broken_promises(today: date):
    return count_per_engagement(
        Promise.objects.filter(engagement=OuterRef("pk"), broken_at__gte=window_start(today, HEALTH_WINDOW))
    )


def _broken(value) -> str:
    return ngettext(
        "%(count)d promise was broken in the last 30 days", "%(count)d promises were broken in the last 30 days", value
    ) % {"count": value}


def promises_due(*, user, today: date, limit: int) -> WorkResult:
    """Open promises our side made that ``user`` owns (the handoff's, the contract's, those promised in
    meetings), due before the end of the coming week or overdue (two queries)."""
    horizon = timezone.make_aware(datetime.combine(today + timedelta(days=DUE_SOON_DAYS + 1), time.min))
    now = timezone.now()
    promises = (
        Promise.objects.visible_to(user)
        .filter(owner=user, side=Side.VENDOR, status=PromiseStatus.OPEN, due_at__lt=horizon)
        .exclude(engagement__phase=Phase.CLOSED)
        .select_related("engagement__client")
    )

    def entry(promise):
        engagement, engagement_url = engagement_link(promise.engagement)
        # Where it was promised (a sales promise, in a meeting, ...), and whether the portal shows it.
        note = str(promise.get_source_display())
        if promise.shown_to_client:
            note = _("%(source)s, shown to the client") % {"source": note}
        return WorkEntry(
            title=promise.description,
            url=reverse("governance:plan", args=[promise.engagement_id]) + "#promises",
            engagement=engagement,
            engagement_url=engagement_url,
            due_at=promise.due_at,
            overdue=promise.is_overdue(now),
            note=note,
        )

    return result_of(promises.order_by(F("due_at").asc(), "pk"), limit, entry)


def register() -> None:
    register_signal(
        HealthSignal(
            "broken_promises", gettext_lazy("promises broken (30 days)"), broken_promises, 1, 2, describe=_broken
        )
    )
    register_list(
        WorkList(
            "engagements.promises",
            gettext_lazy("Your promises: due soon or overdue"),
            promises_due,
            position=55,
            for_user=policy.is_staff,
            description=gettext_lazy("What you promised the client, from the handoff, the contract and meetings."),
        )
    )
