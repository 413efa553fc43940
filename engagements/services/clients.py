"""Clients: opening one, its profile and contract, its billing records."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Organization, OrganizationKind, Role, User

from .. import policy
from ..models import (
    BillingRecord,
    ClientProfile,
)
from .common import assign, save


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "client"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


# What a client's profile form edits; never its organization (re-pointing a profile hands over another client).
CLIENT_PROFILE_EDITABLE = (
    "industry",
    "language",
    "contract_signed_on",
    "contract_term_months",
    "services_in_scope",
    "vendor_obligations",
    "client_obligations",
    "commercial_summary",
    "knowledge_page",
    "csm",
)


@transaction.atomic
def client_create(*, by: User, name: str, csm: User | None = None, **profile_fields) -> ClientProfile:
    """Open a new client; a CSM who opens one becomes its CSM (``policy.may_create_client``)."""
    if not policy.may_create_client(by):
        raise PermissionDenied
    unknown = set(profile_fields) - set(CLIENT_PROFILE_EDITABLE)
    if unknown:  # Before anything is written.
        raise ValueError(", ".join(sorted(unknown)))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the client's name.")})
    if Organization.objects.filter(name__iexact=name, kind=OrganizationKind.CLIENT).exists():
        raise ValidationError({"name": _("A client with this name already exists.")})
    try:
        with transaction.atomic():
            organization = save(Organization(name=name, slug=_unique_slug(name), kind=OrganizationKind.CLIENT))
    except IntegrityError as error:
        # A double submit: both requests passed the check above; the unique slug lets one through.
        raise ValidationError({"name": _("A client with this name already exists.")}) from error
    profile = ClientProfile(organization=organization, csm=csm or (by if by.role == Role.CSM else None))
    assign(profile, profile_fields, CLIENT_PROFILE_EDITABLE)
    return save(profile)


def _require_client_manager(user: User, profile: ClientProfile) -> None:
    if not policy.may_manage_client(user, profile.organization):
        raise PermissionDenied


@transaction.atomic
def client_profile_update(
    *, by: User, profile: ClientProfile, require_mfa: bool | None = None, **fields
) -> ClientProfile:
    """Edit a client's profile, contract and CSM: its CSM, directors and admins (``policy.may_manage_client``).
    ``require_mfa``: whether the client's people must sign in with a second factor (``accounts.mfa.policy``)."""
    _require_client_manager(by, profile)
    if require_mfa is not None and profile.organization.require_mfa != require_mfa:
        profile.organization.require_mfa = require_mfa
        profile.organization.save(update_fields=["require_mfa"])
    csm_before = profile.csm_id
    assign(profile, fields, CLIENT_PROFILE_EDITABLE)
    # Only a new CSM is checked: one who has since left does not block other edits.
    if profile.csm_id and profile.csm_id != csm_before and (profile.csm.role != Role.CSM or not profile.csm.is_active):
        raise ValidationError({"csm": _("Choose an active customer success manager.")})
    return save(profile)


@transaction.atomic
def billing_record_add(*, by: User, profile: ClientProfile, **fields) -> BillingRecord:
    _require_client_manager(by, profile)
    return save(BillingRecord(profile=profile, **fields))
