"""Engagements and their people (CSM, PM, deputy, account executive); the row lock every write on one
engagement takes."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, OrganizationKind, Role, User
from webhooks.services import emit

from .. import hooks, policy
from ..models import (
    ClientProfile,
    Engagement,
)
from ..webhook_events import engagement_data
from .common import assign, save


def engagement_lock(engagement: Engagement) -> Engagement:
    """Serialize writes on one engagement (phase changes, acceptance, template application)."""
    return Engagement.objects.select_for_update().get(pk=engagement.pk)


ENGAGEMENT_EDITABLE = (
    "name",
    "description",
    "csm",
    "pm",
    "deputy_pm",
    "account_executive",
    "contract_signed_on",
    "kickoff_on",
    "target_go_live_on",
    "planned_effort_days",
    "planned_amount",
    "currency",
)


def _validate_people(engagement: Engagement) -> None:
    errors = {}
    for field in ("csm", "pm", "deputy_pm", "account_executive"):
        person = getattr(engagement, field)
        if person is not None and not person.is_vendor_user:
            errors[field] = _("Choose a person from our own staff.")
    if engagement.pm_id and engagement.pm_id == engagement.deputy_pm_id:
        errors["deputy_pm"] = _("The deputy PM must be someone other than the PM.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def engagement_create(*, by: User, client: Organization, name: str, csm: User, now=None, **fields) -> Engagement:
    """Open an engagement for an existing client: its CSM, directors and admins (``policy.may_open_engagement``).

    Opening an engagement grants nothing over the client: the client's CSM stays who it was. Only a client
    that has none yet gets the engagement's CSM, and only a director or admin can open one for such a client."""
    if client.kind != OrganizationKind.CLIENT:
        raise ValidationError({"client": _("Choose a client organization.")})
    if not policy.may_open_engagement(by, client):
        raise PermissionDenied
    engagement = Engagement(client=client, name=(name or "").strip(), csm=csm, created_at=now or timezone.now())
    if fields.get("contract_signed_on") is None:
        # The client's contract, unless this engagement has its own.
        fields["contract_signed_on"] = (
            ClientProfile.objects.filter(organization=client).values_list("contract_signed_on", flat=True).first()
        )
    assign(engagement, fields, ENGAGEMENT_EDITABLE)
    _validate_people(engagement)
    save(engagement)
    profile, _created = ClientProfile.objects.get_or_create(organization=client)
    if profile.csm_id is None and csm.role == Role.CSM and policy.oversees(by):
        profile.csm = csm
        profile.save(update_fields=["csm"])
    emit("engagement.created", engagement_data(engagement), organization=client, engagement=engagement, now=now)
    return engagement


@transaction.atomic
def engagement_update(*, by: User, engagement: Engagement, **fields) -> Engagement:
    policy.require_manage(by, engagement)
    engagement = engagement_lock(engagement)
    anchors = (engagement.kickoff_on, engagement.contract_signed_on)
    assign(engagement, fields, ENGAGEMENT_EDITABLE)
    _validate_people(engagement)
    save(engagement)
    if (engagement.kickoff_on, engagement.contract_signed_on) != anchors:
        hooks.anchor_dates_moved(engagement=engagement, by=by, now=timezone.now())
    return engagement
