"""Who must sign in with a second factor: the one place that answers it (the login, the enrolment gate, the
profile and the admin all ask here)."""

from allauth.mfa.models import Authenticator

from ..models import DELIVERY_LEAD_ROLES, OrganizationKind

# The factors a person signs in with; recovery codes only stand in for one of them.
PRIMARY_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def mfa_required(user) -> bool:
    """Vendor admins and delivery directors, anyone who may open the Django admin (``is_staff``,
    ``is_superuser``), and the people of a client organization that requires it (``Organization.require_mfa``,
    set on the client's profile by its CSM, a director or an admin)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    if user.is_vendor_user and user.role in DELIVERY_LEAD_ROLES:
        return True
    organization = user.organization
    return bool(organization.kind == OrganizationKind.CLIENT and organization.require_mfa)


def has_second_factor(user) -> bool:
    """Whether ``user`` has a factor of their own (an authenticator app; recovery codes alone are none)."""
    if user is None or user.pk is None:
        return False
    return Authenticator.objects.filter(user_id=user.pk, type__in=PRIMARY_TYPES).exists()
