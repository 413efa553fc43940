"""The live agenda sources governance registers itself (see ``agenda.py``): action items carried over from the
series' earlier meetings, overdue checklist items of both sides, stages awaiting the client's acceptance,
promises due or broken (read through engagements' selectors), and escalations' open red flags with the SLA
figures since the last meeting (read through escalations' selectors: escalations never imports governance).

Each provider runs a constant number of queries and writes its entries' text in the active language (the agenda
is prepared in the plan's language).
"""

from datetime import timedelta

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checklists.models import CLOSED_ITEM_STATUSES, ChecklistItem, ChecklistStage
from engagements import selectors as engagement_selectors
from engagements.models import PromiseStatus, Side
from escalations import selectors as escalations

from .agenda import AgendaEntry, register_agenda_source
from .models import ActionItem

CARRIED_OVER = "carried_over"
OVERDUE_ITEMS = "overdue_items"
AWAITING_ACCEPTANCE = "awaiting_acceptance"
# Stored in the agenda rows (``live_source``) and the cadences: the name from before promises were called so.
PROMISES = "commitments"
RED_FLAGS = "red_flags"


def _side(side) -> str:
    return _("client") if side == Side.CLIENT else _("our side")


def _day(day) -> str:
    return date_format(day, "SHORT_DATE_FORMAT") if day else "—"


def carried_over(*, meeting, since, now) -> list[AgendaEntry]:
    """Open action items of the series' earlier meetings (those carried over before included)."""
    items = (
        ActionItem.objects.open()
        .filter(meeting__series_id=meeting.series_id, meeting__starts_at__lt=meeting.starts_at)
        .select_related("owner")
        .order_by("due_on", "pk")
    )
    return [
        AgendaEntry(
            ref=f"action-item:{item.pk}",
            title=item.text[:300],
            detail=_("%(owner)s (%(side)s), due %(due)s")
            % {"owner": item.owner or "—", "side": _side(item.owner_side), "due": _day(item.due_on)},
            client_visible=not item.is_internal,
            action_item_id=item.pk,
        )
        for item in items
    ]


def overdue_checklist_items(*, meeting, since, now) -> list[AgendaEntry]:
    today = now.astimezone(meeting.series.zone).date()
    items = (
        ChecklistItem.objects.filter(stage__engagement_id=meeting.engagement_id)
        .overdue(today)
        .select_related("assignee", "stage")
        .order_by("due_on", "stage__position", "position", "pk")
    )
    return [
        AgendaEntry(
            ref=f"checklist-item:{item.pk}",
            title=item.title[:300],
            detail=_("%(stage)s · %(owner)s (%(side)s), due %(due)s")
            % {
                "stage": item.stage.title,
                "owner": item.assignee or "—",
                "side": _side(item.owner_side),
                "due": _day(item.due_on),
            },
            url=reverse("checklists:item", args=[item.pk]),
        )
        for item in items
    ]


def stages_awaiting_acceptance(*, meeting, since, now) -> list[AgendaEntry]:
    """Stages the client must accept that are ready (every item closed) or past their last due date."""
    today = now.astimezone(meeting.series.zone).date()
    stages = (
        ChecklistStage.objects.filter(
            engagement_id=meeting.engagement_id, acceptance_required=True, accepted_at__isnull=True
        )
        .annotate(
            item_count=Count("items"),
            open_count=Count("items", filter=~Q(items__status__in=CLOSED_ITEM_STATUSES)),
            last_due=Max("items__due_on"),
        )
        .filter(item_count__gt=0)
        .filter(Q(open_count=0) | Q(last_due__lt=today))
        .order_by("position", "pk")
    )
    entries = []
    for stage in stages:
        if stage.reopened_at:
            detail = _("Rejected by the client; reworked since")
        elif stage.open_count == 0:
            detail = _("Ready for the client's acceptance")
        else:
            detail = _("Past its last due date (%(due)s), not accepted") % {"due": _day(stage.last_due)}
        entries.append(
            AgendaEntry(
                ref=f"stage:{stage.pk}",
                title=stage.title[:300],
                detail=detail,
                url=reverse("portfolio:engagement", args=[meeting.engagement_id]) + f"#stage-{stage.pk}",
            )
        )
    return entries


def register() -> None:
    register_agenda_source(CARRIED_OVER, gettext_lazy("Open action items carried over"), carried_over, position=10)
    register_agenda_source(OVERDUE_ITEMS, gettext_lazy("Overdue checklist items"), overdue_checklist_items, position=20)
    register_agenda_source(
        AWAITING_ACCEPTANCE,
        gettext_lazy("Stages awaiting the client's acceptance"),
        stages_awaiting_acceptance,
        position=30,
    )
    register_agenda_source(PROMISES, gettext_lazy("Promises due or broken"), promises_due_or_broken, position=40)
    register_agenda_source(RED_FLAGS, gettext_lazy("Open red flags and SLA figures"), open_red_flags, position=50)


def promises_due_or_broken(*, meeting, since, now) -> list[AgendaEntry]:
    """Promises due since the last meeting (or before this one), and those broken and still open: kept,
    broken, or due soon, each once."""
    rows = engagement_selectors.promises_due_or_broken(
        engagement_id=meeting.engagement_id, since=since, until=meeting.ends_at
    )
    entries = []
    for promise in rows:
        if promise.status == PromiseStatus.KEPT:
            state = _("kept") if promise.broken_at is None else _("kept late")
        elif promise.broken_at is not None:
            state = _("broken")
        else:
            state = _("open")
        entries.append(
            AgendaEntry(
                ref=f"commitment:{promise.pk}",
                title=promise.description[:300],
                detail=_("%(owner)s, due %(due)s: %(state)s")
                % {
                    "owner": promise.owner,
                    "due": date_format(
                        timezone.localtime(promise.due_at, meeting.series.zone), "SHORT_DATETIME_FORMAT"
                    ),
                    "state": state,
                },
                url=reverse("governance:plan", args=[meeting.engagement_id]) + "#promises",
                client_visible=promise.shown_to_client,
            )
        )
    return entries


def _months(since, now):
    """The first days of the months from ``since`` to ``now`` (the SLA report groups flags by month)."""
    month, last, months = min(since, now).date().replace(day=1), now.date().replace(day=1), []
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _percent(value) -> str:
    return "—" if value is None else f"{value:.0f}%"


def open_red_flags(*, meeting, since, now) -> list[AgendaEntry]:
    """Open red flags, most severe first, with their level; then one line of SLA figures since the last meeting."""
    entries = [
        AgendaEntry(
            ref=f"red-flag:{flag.pk}",
            title=flag.title[:300],
            detail=_("%(severity)s · level %(level)s · %(status)s, raised %(raised)s")
            % {
                "severity": flag.get_severity_display(),
                "level": flag.level,
                "status": flag.get_status_display(),
                "raised": date_format(timezone.localtime(flag.raised_at, meeting.series.zone), "SHORT_DATE_FORMAT"),
            },
            url=flag.get_absolute_url(),
        )
        for flag in escalations.red_flags_open_for_engagement(meeting.engagement)
    ]
    # The report counts flags by month: "since the last meeting" is from the first day of its month.
    months = _months(since, now)
    report = escalations.sla_figures(engagement=meeting.engagement, months=months, now=now)
    if report.total.flags:
        entries.append(
            AgendaEntry(
                ref=f"sla:{months[0].isoformat()}",
                title=_("SLA figures since %(since)s") % {"since": date_format(months[0], "SHORT_DATE_FORMAT")},
                detail=_("%(flags)s red flags; responded in time %(response)s, resolved in time %(resolution)s")
                % {
                    "flags": report.total.flags,
                    "response": _percent(report.total.response_share),
                    "resolution": _percent(report.total.resolution_share),
                },
            )
        )
    return entries
