from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Role, User
from notifications.services import notification_relay

pytestmark = pytest.mark.django_db


def _invite(by, organization, email="kate@acme.example", role=Role.CLIENT_KEY_USER, **kw):
    return services.invitation_create(
        by=by, organization=organization, email=email, full_name="Kate Key", role=role, **kw
    )


def test_csm_invites_a_client_user_and_the_email_is_sent_after_commit(
    csm, engagement, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = _invite(csm, engagement.client)
    assert len(callbacks) == 1, "the email is enqueued only once the invitation is committed"
    notification_relay()  # the outbox row written with the invitation
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["kate@acme.example"]
    assert services.invitation_token(invitation) in message.body


def test_a_csm_cannot_invite_into_a_client_they_do_not_work_for(csm, other_engagement):
    with pytest.raises(PermissionDenied):
        _invite(csm, other_engagement.client)
    assert not Invitation.objects.exists()


def test_inviting_an_existing_address_is_refused(csm, engagement, client_key_user):
    with pytest.raises(ValidationError):
        _invite(csm, engagement.client, email=client_key_user.email.upper())


def test_accepting_creates_the_account_once(csm, engagement, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        invitation = _invite(csm, engagement.client)
    token = services.invitation_token(invitation)
    user = services.invitation_accept(token=token, password="a-long-secret-phrase")
    assert user.organization == engagement.client
    assert user.role == Role.CLIENT_KEY_USER
    assert user.check_password("a-long-secret-phrase")
    with pytest.raises(ValidationError):
        services.invitation_accept(token=token, password="another-long-phrase")
    assert User.objects.filter(email="kate@acme.example").count() == 1


def test_an_expired_invitation_cannot_be_used(csm, engagement, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        invitation = _invite(csm, engagement.client)
    later = timezone.now() + timedelta(days=8)
    with pytest.raises(ValidationError):
        services.invitation_accept(token=services.invitation_token(invitation), password="x-long-phrase", now=later)
    assert not User.objects.filter(email="kate@acme.example").exists()


def test_a_tampered_token_is_refused(client):
    response = client.get(reverse("accounts:invitation_accept", args=["forged-token"]))
    assert response.status_code == 404


def test_a_new_invitation_revokes_the_pending_one(csm, engagement, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = _invite(csm, engagement.client)
        second = _invite(csm, engagement.client)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.is_pending()


def test_invitation_journey_through_the_views(client, csm, engagement, django_capture_on_commit_callbacks):
    client.force_login(csm)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("accounts:invitation_create"),
            {
                "organization": engagement.client.pk,
                "full_name": "Kate Key",
                "email": "kate@acme.example",
                "role": Role.CLIENT_KEY_USER,
            },
        )
    assert response.status_code == 302
    notification_relay()
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/invite/" in line)
    client.logout()
    path = link[link.index("/accounts/invite/") :]
    response = client.post(
        path, {"full_name": "Kate Key", "password1": "a-long-secret-phrase", "password2": "a-long-secret-phrase"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    # The link is single-use.
    assert client.get(path).status_code == 410


def test_weak_password_is_refused_with_a_message_and_nothing_created(
    client, csm, engagement, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        invitation = _invite(csm, engagement.client)
    path = reverse("accounts:invitation_accept", args=[services.invitation_token(invitation)])
    response = client.post(path, {"full_name": "Kate", "password1": "12345", "password2": "12345"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not User.objects.filter(email="kate@acme.example").exists()


def test_inviting_an_address_never_revokes_another_clients_invitation(csm, other_csm, engagement, other_engagement):
    theirs = _invite(other_csm, other_engagement.client, email="consultant@example.com")
    mine = _invite(csm, engagement.client, email="consultant@example.com")
    theirs.refresh_from_db()
    assert theirs.revoked_at is None, "a CSM of one client must not change another client's invitations"
    # Within the same client, a new invitation still replaces the pending one.
    _invite(csm, engagement.client, email="consultant@example.com")
    mine.refresh_from_db()
    assert mine.revoked_at is not None


def test_the_invitation_list_runs_a_constant_number_of_queries(client, csm, engagement):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("accounts:invitation_list")).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(csm)
    _invite(csm, engagement.client, email="one@acme.example")
    small = count()
    for n in range(6):
        _invite(csm, engagement.client, email=f"more{n}@acme.example")
    assert count() == small
