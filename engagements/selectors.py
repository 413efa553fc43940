"""Reads for clients, engagements and their records. Each fetches what its page shows in a fixed number of queries;
what a user may see comes from ``visible_to`` and each queryset's ``for_viewer(user)``."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import VENDOR_ROLES, Role, StaffAbsence, User

from . import policy
from .models import (
    ClientProfile,
    Commitment,
    Engagement,
    Integration,
    Milestone,
    Phase,
    ResourceLink,
    Stakeholder,
)
from .services import engagement_acting_pm, engagement_people, engagement_warnings

# --- Clients --------------------------------------------------------------------------------------------------


def client_profiles():
    """Client profiles with what their pages show; scope with ``visible_to``/``managed_by``."""
    return ClientProfile.objects.select_related("organization", "csm")


def client_list(*, user):
    return client_profiles().visible_to(user).order_by("organization__name")


def client_choices_for_engagement(*, user):
    """Clients a person may open an engagement for (``policy.clients_open_for``): never every client."""
    return policy.clients_open_for(user).order_by("name")


def vendor_people():
    return User.objects.filter(is_active=True, role__in=VENDOR_ROLES).order_by("full_name")


# --- Engagements ----------------------------------------------------------------------------------------------


def engagement_with_people():
    """Engagements with the people the engagement page shows; scope with ``visible_to``/``managed_by``."""
    return Engagement.objects.select_related(
        "client__client_profile", "csm", "pm", "deputy_pm", "account_executive", "handoff__handed_over_by"
    )


def engagement_list(*, user):
    """The engagements ``user`` sees, with their people (the portal's list never joins the vendor-internal
    handoff or client profile)."""
    return Engagement.objects.visible_to(user).select_related("client", "csm", "pm", "deputy_pm")


def commitment_owner_choices(engagement: Engagement):
    """Who may own a promise on an engagement: our active staff, and the client's own active people."""
    return User.objects.filter(
        Q(role__in=VENDOR_ROLES) | Q(organization_id=engagement.client_id), is_active=True
    ).order_by("full_name")


def assignee_choices(engagement: Engagement):
    """Who work on an engagement may be assigned to: its vendor team and the client's own people (the same rule
    the services enforce)."""
    return engagement_people(engagement).order_by("full_name")


@dataclass
class EngagementRecords:
    """What engagements itself contributes to the engagement page, as ``user`` may see it."""

    stakeholders: list
    warnings: list
    milestones: list
    timeline: list
    acting_pm: User | None
    pm_absent: bool
    commitments: list
    integrations: list
    resource_links: list
    handoff: object


def engagement_records(*, engagement: Engagement, user, today: date | None = None) -> EngagementRecords:
    """People, plan and records of one engagement. Vendor-internal ones come back empty for a client without a
    query (their querysets' ``for_viewer``)."""
    today = today or timezone.localdate()
    stakeholders = list(Stakeholder.objects.for_viewer(user).filter(engagement=engagement).select_related("user"))
    milestones = list(Milestone.objects.for_viewer(user).filter(engagement=engagement))
    timeline = []
    if engagement.kickoff_on:
        end = engagement.kickoff_on + timedelta(days=30)
        for milestone in milestones:
            if engagement.kickoff_on <= milestone.due_on <= end:
                timeline.append({"day": (milestone.due_on - engagement.kickoff_on).days, "milestone": milestone})
    absences = list(StaffAbsence.objects.filter(user_id=engagement.pm_id).covering(today)) if engagement.pm_id else []
    acting_pm = engagement_acting_pm(engagement, on=today, absences=absences)
    return EngagementRecords(
        stakeholders=stakeholders,
        warnings=engagement_warnings(engagement, stakeholders) if policy.is_staff(user) else [],
        milestones=milestones,
        timeline=timeline,
        acting_pm=acting_pm,
        pm_absent=bool(engagement.pm_id and acting_pm and acting_pm.pk != engagement.pm_id),
        commitments=list(Commitment.objects.for_viewer(user).filter(engagement=engagement).select_related("owner")),
        integrations=list(Integration.objects.for_viewer(user).filter(engagement=engagement)),
        resource_links=list(ResourceLink.objects.for_viewer(user).filter(engagement=engagement)),
        # Vendor-internal, and already joined to the staff page's engagement.
        handoff=getattr(engagement, "handoff", None) if policy.is_staff(user) else None,
    )


# --- Director -------------------------------------------------------------------------------------------------


def csm_workload(*, capacity: int | None = None):
    """Active engagements per CSM against the capacity (``ENGAGEMENT_CSM_CAPACITY``)."""
    capacity = capacity or settings.ENGAGEMENT_CSM_CAPACITY
    rows = (
        User.objects.filter(is_active=True, role=Role.CSM)
        .annotate(active=Count("engagements_as_csm", filter=~Q(engagements_as_csm__phase=Phase.CLOSED)))
        .order_by("-active", "full_name")
    )
    result = []
    for csm in rows:
        csm.capacity = capacity
        csm.load = round(100 * csm.active / capacity) if capacity else 0
        csm.over_capacity = csm.active > capacity
        result.append(csm)
    return result
