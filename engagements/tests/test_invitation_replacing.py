"""Inviting an address again replaces its pending invitation, so only who may revoke that invitation may: anyone
else who may invite is refused with a message naming who sent it, and nothing changes."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services
from accounts.models import Invitation, Role
from engagements.tests.factories import ClientProfileFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2031, 3, 5, 10, 0, tzinfo=UTC)
ADDRESS = "kasia@acme.example"


def _invite(by, organization, role, *, now=NOW):
    return services.invitation_create(
        by=by, organization=organization, email=ADDRESS, full_name="Kasia", role=role, now=now
    )


@pytest.fixture
def csms_key_user_invitation(csm, engagement):
    ClientProfileFactory(organization=engagement.client, csm=csm)
    return _invite(csm, engagement.client, Role.CLIENT_KEY_USER)


def _pending():
    return list(Invitation.objects.pending(NOW).filter(email=ADDRESS).values_list("role", "invited_by__email"))


def test_a_key_user_cannot_downgrade_the_csms_key_user_invitation(client_key_user, csm, csms_key_user_invitation):
    with pytest.raises(ValidationError) as refused:
        _invite(client_key_user, client_key_user.organization, Role.CLIENT_MEMBER)
    assert str(csm) in " ".join(refused.value.messages)
    assert _pending() == [(Role.CLIENT_KEY_USER, csm.email)]


def test_a_pm_who_may_invite_cannot_replace_the_csms_invitation(pm, csm, engagement, csms_key_user_invitation):
    with pytest.raises(ValidationError):
        _invite(pm, engagement.client, Role.CLIENT_MEMBER)
    assert _pending() == [(Role.CLIENT_KEY_USER, csm.email)]


def test_who_may_revoke_the_invitation_replaces_it(csm, director, engagement, csms_key_user_invitation):
    again = _invite(csm, engagement.client, Role.CLIENT_MEMBER)
    assert again.earlier_was_pending and _pending() == [(Role.CLIENT_MEMBER, csm.email)]
    _invite(director, engagement.client, Role.CLIENT_KEY_USER)
    assert _pending() == [(Role.CLIENT_KEY_USER, director.email)]


def test_a_key_user_still_replaces_their_own_members_invitation(client_key_user):
    _invite(client_key_user, client_key_user.organization, Role.CLIENT_MEMBER)
    _invite(client_key_user, client_key_user.organization, Role.CLIENT_MEMBER)
    assert _pending() == [(Role.CLIENT_MEMBER, client_key_user.email)]


def test_the_portal_form_says_who_invited_the_address(client, client_key_user, csm, csms_key_user_invitation):
    client.force_login(client_key_user)
    response = client.post(reverse("portal:people"), {"email": ADDRESS, "full_name": "Kasia"})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["email"])
    assert str(csm) in errors
    assert Invitation.objects.filter(email=ADDRESS).count() == 1
    csms_key_user_invitation.refresh_from_db()
    assert csms_key_user_invitation.revoked_at is None
