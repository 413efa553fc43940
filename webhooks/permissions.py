"""Who may manage webhook endpoints: admins and directors every endpoint (and the organization-wide ones), the people
who manage a client (its CSM: ``accounts.client_access``, answered by engagements) that client's endpoints. Client
users none. Views and services both ask these."""

from django.db.models import Q

from accounts import client_access

NOTHING = Q(pk__in=[])


def _staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_vendor_user)


def endpoint_filter(user) -> Q:
    if not _staff(user):
        return NOTHING
    if user.leads_delivery:
        return Q()
    return Q(organization__in=client_access.clients_managed_by(user))


def may_use_webhooks(user) -> bool:
    """The endpoints page: vendor staff (each sees the endpoints they manage)."""
    return _staff(user)


def may_manage_endpoint_for(user, organization) -> bool:
    """May ``user`` create or move an endpoint for ``organization`` (``None``: organization-wide)?"""
    if not _staff(user):
        return False
    if user.leads_delivery:
        return True
    return organization is not None and client_access.clients_managed_by(user).filter(pk=organization.pk).exists()


def clients_for_endpoints(user):
    """The clients ``user`` may point an endpoint at."""
    from accounts.models import Organization

    if not _staff(user):
        return Organization.objects.none()
    if user.leads_delivery:
        return Organization.objects.clients()
    return client_access.clients_managed_by(user)
