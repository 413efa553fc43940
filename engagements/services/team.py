"""The vendor team: who may be assigned work, members, and who acts as PM while the PM is away."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StaffAbsence, User

from .. import policy
from ..models import (
    Engagement,
    EngagementMember,
)


def engagement_people(engagement: Engagement):
    """Who may be assigned work on an engagement: its vendor team (CSM, PM, deputy, account
    executive, members) and the client's own active people. Nobody else, so an id posted from
    another engagement or another client is refused."""
    team = Q(pk__in=[engagement.csm_id, engagement.pm_id, engagement.deputy_pm_id, engagement.account_executive_id])
    team |= Q(pk__in=EngagementMember.objects.filter(engagement=engagement).values("user_id"))
    return User.objects.filter(team | Q(organization_id=engagement.client_id), is_active=True)


@transaction.atomic
def member_add(*, by: User, engagement: Engagement, user: User, role: str = "") -> EngagementMember:
    policy.require_manage(by, engagement)
    if not user.is_vendor_user:
        raise ValidationError({"user": _("Team members come from our own staff.")})
    member, _created = EngagementMember.objects.update_or_create(
        engagement=engagement, user=user, defaults={"role": role.strip()}
    )
    return member


def user_is_absent(user: User | None, *, on: date, absences=None) -> bool:
    if user is None:
        return False
    if absences is not None:
        return any(a.user_id == user.pk and a.starts_on <= on <= a.ends_on for a in absences)
    return StaffAbsence.objects.filter(user=user).covering(on).exists()


def engagement_acting_pm(engagement: Engagement, *, on: date | None = None, absences=None) -> User | None:
    """Who acts as PM on a day: the PM, or the deputy PM while the PM is absent.

    Assignment, approvals, reminders and escalations meant for the PM all ask this, so an
    absence reroutes them without anyone reassigning by hand. ``absences`` (prefetched
    ``accounts.StaffAbsence`` rows) avoids a query per engagement on list pages.
    """
    on = on or timezone.localdate()
    if engagement.pm_id and user_is_absent(engagement.pm, on=on, absences=absences) and engagement.deputy_pm_id:
        return engagement.deputy_pm
    return engagement.pm
