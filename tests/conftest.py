import pytest

from accounts import services as account_services
from accounts.models import Role


@pytest.fixture
def world(
    vendor_admin,
    executive,
    director,
    csm,
    other_csm,
    pm,
    deputy_pm,
    team_member,
    client_key_user,
    client_member,
    other_client_user,
    engagement,
    other_engagement,
    django_capture_on_commit_callbacks,
):
    """One of everything, for the persona's own client and for another client.

    Apps that add object URLs add their objects here, as ``key`` and ``other_key``.
    """
    personas = {
        "anonymous": None,
        "vendor_admin": vendor_admin,
        "executive": executive,
        "director": director,
        "csm": csm,
        "other_csm": other_csm,
        "pm": pm,
        "deputy_pm": deputy_pm,
        "team_member": team_member,
        "client_key_user": client_key_user,
        "client_member": client_member,
        "other_client_user": other_client_user,
    }
    with django_capture_on_commit_callbacks(execute=False):
        invitation = account_services.invitation_create(
            by=csm,
            organization=engagement.client,
            email="new@acme.example",
            full_name="New Person",
            role=Role.CLIENT_MEMBER,
        )
        other_invitation = account_services.invitation_create(
            by=other_csm,
            organization=other_engagement.client,
            email="new@globex.example",
            full_name="Other Person",
            role=Role.CLIENT_MEMBER,
        )
    from notifications.tests.factories import NotificationFactory

    notification = NotificationFactory(recipient=client_key_user, in_app=True)
    other_notification = NotificationFactory(recipient=other_client_user, in_app=True)
    return {
        "personas": personas,
        "notification": notification,
        "other_notification": other_notification,
        "engagement": engagement,
        "other_engagement": other_engagement,
        "invitation": invitation,
        "other_invitation": other_invitation,
        "token": account_services.invitation_token(invitation),
    }
