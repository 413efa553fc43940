"""Governance's lists on "My work" (``engagements.work``), registered in ``GovernanceConfig.ready``: the person's
open action items from meetings that are due soon or overdue (their promises are engagements' list). The list is
two queries (the first entries and the count), whatever the amount of data."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from engagements import policy
from engagements.models import Phase
from engagements.work import DUE_SOON_DAYS, WorkEntry, WorkList, WorkResult, engagement_link, register_list, result_of

from .models import ActionItem


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
