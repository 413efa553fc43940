import pytest
from django.core import mail

from accounts import services as account_services
from accounts.models import Role
from notifications import services
from notifications.models import Category, Channel, Notification, Status

pytestmark = pytest.mark.django_db


def test_an_invitation_writes_its_mail_to_the_outbox_and_the_relay_sends_the_link(csm, engagement, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    invitation = account_services.invitation_create(
        by=csm,
        organization=engagement.client,
        email="New@Acme.example",
        full_name="New Person",
        role=Role.CLIENT_MEMBER,
    )
    row = Notification.objects.get()
    assert (row.channel, row.category, row.to_email, row.status) == (
        Channel.EMAIL,
        Category.ACCOUNT,
        "new@acme.example",
        Status.PENDING,
    )
    # The outbox never stores the signed link: it is rebuilt when the mail is sent.
    url = account_services.invitation_url(invitation)
    assert url not in str(row.context) and url not in row.subject
    assert services.notification_relay() == 1
    (message,) = mail.outbox
    assert message.to == ["new@acme.example"]
    assert url in message.body and url in message.alternatives[0][0]
    assert engagement.client.name in message.subject


def test_a_revoked_invitation_is_not_mailed(csm, engagement, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    first = account_services.invitation_create(
        by=csm, organization=engagement.client, email="kate@acme.example", full_name="Kate", role=Role.CLIENT_MEMBER
    )
    # A second invitation to the same address revokes the first before its mail went out.
    account_services.invitation_create(
        by=csm, organization=engagement.client, email="kate@acme.example", full_name="Kate", role=Role.CLIENT_MEMBER
    )
    assert services.notification_relay() == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.get(event=f"accounts.invitation:{first.pk}").status == Status.CANCELLED
