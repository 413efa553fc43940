"""Governance's lists on "My work" (``engagements.work``), registered in ``GovernanceConfig.ready``: the person's
open action items from meetings that are due soon or overdue, and the commitments (promises) they own that are due
soon or overdue. Each list is two queries (the first entries and the count), whatever the amount of data."""

from datetime import date, datetime, time, timedelta

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from engagements import policy
from engagements.models import Commitment, CommitmentStatus, Phase, Side
from engagements.work import WorkEntry, WorkList, WorkResult, engagement_link, register_list, result_of

from .models import ActionItem

# "Due soon" on My work: within the coming week, as checklists' own list.
DUE_SOON_DAYS = 7


def action_items_due(*, user, today: date, limit: int) -> WorkResult:
    """Open action items from meetings that ``user`` owns, due within the coming week or overdue."""
    action_items = (
        ActionItem.objects.visible_to(user)
        .open()
        .filter(owner=user, due_on__lte=today + timedelta(days=DUE_SOON_DAYS))
        .exclude(engagement__phase=Phase.CLOSED)
        .select_related("engagement__client", "meeting")
    )

    def entry(action_item):
        engagement, engagement_url = engagement_link(action_item.engagement)
        url = reverse("governance:meeting", args=[action_item.meeting_id])
        if action_item.agenda_item_id:
            url += f"#agenda-item-{action_item.agenda_item_id}"
        return WorkEntry(
            title=action_item.text if len(action_item.text) <= 120 else action_item.text[:119] + "…",
            url=url,
            engagement=engagement,
            engagement_url=engagement_url,
            due_on=action_item.due_on,
            overdue=action_item.is_overdue(today),
            note=_("from “%(meeting)s” on %(when)s")
            % {
                "meeting": action_item.meeting.title,
                "when": date_format(timezone.localtime(action_item.meeting.starts_at), "SHORT_DATE_FORMAT"),
            },
        )

    return result_of(action_items.order_by("due_on", "pk"), limit, entry)


def commitments_due(*, user, today: date, limit: int) -> WorkResult:
    """Open commitments our side made that ``user`` owns (the handoff's, the contract's, those promised in
    meetings), due before the end of the coming week or overdue."""
    horizon = timezone.make_aware(datetime.combine(today + timedelta(days=DUE_SOON_DAYS + 1), time.min))
    now = timezone.now()
    commitments = (
        Commitment.objects.visible_to(user)
        .filter(owner=user, side=Side.VENDOR, status=CommitmentStatus.OPEN, due_at__lt=horizon)
        .exclude(engagement__phase=Phase.CLOSED)
        .select_related("engagement__client")
    )

    def entry(commitment):
        engagement, engagement_url = engagement_link(commitment.engagement)
        # Where it was promised (a sales commitment, in a meeting, ...), and whether the portal shows it.
        note = str(commitment.get_source_display())
        if commitment.shown_to_client:
            note = _("%(source)s, shown to the client") % {"source": note}
        return WorkEntry(
            title=commitment.description,
            url=reverse("governance:plan", args=[commitment.engagement_id]) + "#promises",
            engagement=engagement,
            engagement_url=engagement_url,
            due_at=commitment.due_at,
            overdue=commitment.is_overdue(now),
            note=note,
        )

    return result_of(commitments.order_by(F("due_at").asc(), "pk"), limit, entry)


def register() -> None:
    staff = policy.is_staff
    register_list(
        WorkList(
            "governance.action_items",
            gettext_lazy("Your action items from meetings: due soon or overdue"),
            action_items_due,
            position=50,
            for_user=staff,
        )
    )
    register_list(
        WorkList(
            "governance.commitments",
            gettext_lazy("Your commitments: due soon or overdue"),
            commitments_due,
            position=55,
            for_user=staff,
            description=gettext_lazy("What you promised the client, from the handoff, the contract and meetings."),
        )
    )
