"""A client's key user invites and deactivates the members of their own organization, and nothing more: never a key
user (who would decide for the client), never staff, never another organization's people."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import Invitation, Role
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _invite(by, organization, role=Role.CLIENT_MEMBER, email="mira@acme.example"):
    return services.invitation_create(by=by, organization=organization, email=email, full_name="Mira", role=role)


def test_a_key_user_invites_a_member_of_their_own_organization(client_key_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        invitation = _invite(client_key_user, client_key_user.organization)
    assert (invitation.organization, invitation.role, invitation.invited_by) == (
        client_key_user.organization,
        Role.CLIENT_MEMBER,
        client_key_user,
    )


def test_a_key_user_cannot_invite_a_key_user(client_key_user):
    with pytest.raises(ValidationError):
        _invite(client_key_user, client_key_user.organization, role=Role.CLIENT_KEY_USER)
    assert not Invitation.objects.exists()


def test_a_key_user_cannot_invite_into_another_organization(client_key_user, other_client_org, vendor):
    for organization in (other_client_org, vendor):
        with pytest.raises(PermissionDenied):
            _invite(client_key_user, organization)
    assert not Invitation.objects.exists()


def test_a_member_cannot_invite(client_member):
    with pytest.raises(PermissionDenied):
        _invite(client_member, client_member.organization)


def test_a_key_user_deactivates_a_member_and_their_sessions_end(
    client_key_user, client_member, django_capture_on_commit_callbacks
):
    session = Client()
    session.force_login(client_member)
    assert session.get(reverse("portal:home")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.user_deactivate(by=client_key_user, user=client_member)
    client_member.refresh_from_db()
    assert not client_member.is_active
    assert session.session.session_key is None or not session.session.exists(session.session.session_key)
    response = session.get(reverse("portal:home"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_key_user_deactivates_no_one_else(client_key_user, client_org, other_client_org, csm):
    other_key_user = UserFactory(key_user=True, organization=client_org)
    other_member = UserFactory(client_member=True, organization=other_client_org)
    for person in (other_key_user, other_member, csm, client_key_user):
        with pytest.raises(PermissionDenied):
            services.user_deactivate(by=client_key_user, user=person)
    assert get_user_model().objects.filter(is_active=False).count() == 0


def test_the_people_page_invites_and_deactivates(client, client_key_user, client_member, client_org):
    other_key_user = UserFactory(key_user=True, organization=client_org, full_name="Kurt Key")
    client.force_login(client_key_user)
    page = client.get(reverse("portal:people")).content.decode()
    assert client_member.full_name in page and f'data-testid="deactivate-{client_member.pk}"' in page
    assert f'data-testid="deactivate-{other_key_user.pk}"' not in page

    response = client.post(reverse("portal:people"), {"full_name": "Mira New", "email": "mira.new@acme.example"})
    assert response.status_code == 302
    assert Invitation.objects.get(email="mira.new@acme.example").role == Role.CLIENT_MEMBER

    assert client.post(reverse("portal:people_deactivate", args=[other_key_user.pk])).status_code == 404
    assert client.post(reverse("portal:people_deactivate", args=[client_member.pk])).status_code == 302
    client_member.refresh_from_db()
    other_key_user.refresh_from_db()
    assert not client_member.is_active and other_key_user.is_active
