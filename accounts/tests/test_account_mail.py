"""Account mail: password resets, address changes and invitations go through the outbox, build their links from
SITE_URL, are limited per address and client address, and never tell a stranger who has an account."""

import contextlib
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import EmailChange, Role
from accounts.tests.factories import PASSWORD, UserFactory
from notifications.models import Category, Channel, Notification, Status
from notifications.services import notification_relay

pytestmark = pytest.mark.django_db


def _link(message, marker):
    return next(line for line in message.body.splitlines() if marker in line).strip()


# --- Password reset ----------------------------------------------------------------------------------------


def test_password_reset_link_is_built_from_site_url_not_the_host_header(client, csm, settings):
    settings.SITE_URL = "https://portal.example.com"
    settings.ALLOWED_HOSTS = ["portal.example.com", "attacker.example"]
    client.post(reverse("accounts:password_reset"), {"email": csm.email}, HTTP_HOST="attacker.example")
    notification_relay()
    (message,) = mail.outbox
    link = _link(message, "/accounts/password/reset/")
    assert link.startswith("https://portal.example.com/accounts/password/reset/")
    assert "attacker.example" not in message.body + message.alternatives[0][0]


def test_password_reset_mail_goes_through_the_outbox_without_a_stored_link(
    client, csm, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("accounts:password_reset"), {"email": csm.email.upper()})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == [], "no mail is sent inside the request"
    assert len(callbacks) == 1, "the relay is kicked once the row is committed"
    row = Notification.objects.get()
    assert (row.channel, row.category, row.recipient, row.status) == (
        Channel.EMAIL,
        Category.ACCOUNT,
        csm,
        Status.PENDING,
    )
    assert "/password/reset/" not in str(row.context) + row.url
    assert notification_relay() == 1
    link = _link(mail.outbox[0], "/accounts/password/reset/")
    response = client.get(link[link.index("/accounts/") :], follow=True)
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "brand-new-phrase-42", "new_password2": "brand-new-phrase-42"},
    )
    assert response.status_code == 302
    csm.refresh_from_db()
    assert csm.check_password("brand-new-phrase-42")


def test_password_reset_answers_the_same_whether_or_not_the_address_has_an_account(client, csm):
    known = client.post(reverse("accounts:password_reset"), {"email": csm.email})
    unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert Notification.objects.filter(to_email="nobody@example.com").count() == 0
    assert Notification.objects.filter(recipient=csm).count() == 1


def test_password_reset_is_not_mailed_to_a_deactivated_account(client, csm):
    client.post(reverse("accounts:password_reset"), {"email": csm.email})
    csm.is_active = False
    csm.save(update_fields=["is_active"])
    notification_relay()
    assert mail.outbox == []


def test_password_reset_is_limited_per_address_for_known_and_unknown_addresses_alike(client, csm, settings):
    settings.MAIL_LIMIT_PER_ADDRESS = 2
    url = reverse("accounts:password_reset")
    for email in (csm.email, "nobody@example.com"):
        for _ in range(2):
            assert Client().post(url, {"email": email}).status_code == 302
        response = Client().post(url, {"email": email.upper()})
        assert response.status_code == 429
        assert "Too many emails" in response.content.decode()
    assert Notification.objects.filter(recipient=csm).count() == 2


def test_password_reset_limit_per_address_holds_for_the_unicode_spellings_of_it(settings):
    """PostgreSQL's case-insensitive match folds "ı" (dotless i) onto "i": were "ıt-sales@..." matched to the account,
    each such spelling would be a fresh address to the limit, and the victim's mailbox would fill all the same."""
    settings.MAIL_LIMIT_PER_ADDRESS = 2
    user = UserFactory(email="it-sales@acme.example")
    url = reverse("accounts:password_reset")
    for n, spelling in enumerate(["it-sales@acme.example", "it-sales@acme.example", "ıt-sales@acme.example"]):
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(url, {"email": spelling})
    assert Notification.objects.filter(recipient=user).count() == 2


def test_password_reset_is_limited_per_client_address(csm, settings):
    settings.MAIL_LIMIT_PER_IP = 3
    url = reverse("accounts:password_reset")
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    for n in range(3):
        assert attacker.post(url, {"email": f"victim{n}@example.com"}).status_code == 302
    assert attacker.post(url, {"email": csm.email}).status_code == 429
    assert not Notification.objects.exists()
    # Someone else is not affected.
    assert Client(REMOTE_ADDR="198.51.100.7").post(url, {"email": csm.email}).status_code == 302


def test_password_reset_limit_per_client_address_counts_an_ipv6_client_per_64_block(csm, settings):
    settings.MAIL_LIMIT_PER_IP = 3
    url = reverse("accounts:password_reset")
    for n in range(3):
        browser = Client(REMOTE_ADDR=f"2001:db8:7:1::{n + 1:x}")
        assert browser.post(url, {"email": f"victim{n}@example.com"}).status_code == 302
    assert Client(REMOTE_ADDR="2001:db8:7:1:abcd::1").post(url, {"email": csm.email}).status_code == 429
    assert not Notification.objects.exists()


# --- Invitations ------------------------------------------------------------------------------------------


def test_invitations_are_limited_per_address(client, csm, engagement, settings):
    settings.MAIL_LIMIT_PER_ADDRESS = 2
    client.force_login(csm)
    url = reverse("accounts:invitation_create")
    data = {"organization": engagement.client.pk, "full_name": "Kate", "email": "kate@acme.example"}
    for _ in range(2):
        assert client.post(url, {**data, "role": Role.CLIENT_MEMBER}).status_code == 302
    response = client.post(url, {**data, "role": Role.CLIENT_MEMBER})
    assert response.status_code == 200
    assert "Too many emails" in response.content.decode()
    assert engagement.client.invitations.count() == 2
    assert Notification.objects.filter(to_email="kate@acme.example").count() == 2


def test_invitations_are_limited_per_client_address(csm, engagement, settings):
    settings.MAIL_LIMIT_PER_IP_SIGNED_IN = 2
    for n in range(2):
        services.invitation_create(
            by=csm,
            organization=engagement.client,
            email=f"p{n}@acme.example",
            full_name="P",
            role=Role.CLIENT_MEMBER,
            client_ip="203.0.113.66",
        )
    with pytest.raises(services.ValidationError, match="Too many emails"):
        services.invitation_create(
            by=csm,
            organization=engagement.client,
            email="p9@acme.example",
            full_name="P",
            role=Role.CLIENT_MEMBER,
            client_ip="203.0.113.66",
        )
    assert engagement.client.invitations.count() == 2


# --- Email change -----------------------------------------------------------------------------------------


def _ask(client, email, password=PASSWORD):
    return client.post(reverse("accounts:profile"), {"email-email": email, "email-current_password": password})


def _confirmation_path(message):
    link = _link(message, "/accounts/email/confirm/")
    return link[link.index("/accounts/") :]


def test_email_change_takes_effect_only_after_the_new_address_confirms(client, csm, settings):
    settings.SITE_URL = "https://portal.example.com"
    old_email = csm.email
    client.force_login(csm)
    response = _ask(client, "Anna.New@Northwind.example")
    assert response.status_code == 302
    csm.refresh_from_db()
    assert csm.email == old_email, "nothing changes before the new address confirms"
    assert mail.outbox == []
    notification_relay()
    (message,) = mail.outbox
    assert message.to == ["anna.new@northwind.example"]
    assert _link(message, "/accounts/email/confirm/").startswith("https://portal.example.com/")
    assert "/email/confirm/" not in str(Notification.objects.get().context), "the outbox stores no usable link"
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'data-testid="pending-email-change"' in page and "anna.new@northwind.example" in page

    path = _confirmation_path(message)
    assert client.get(path).status_code == 200
    csm.refresh_from_db()
    assert csm.email == old_email, "opening the link (a mail scanner does) changes nothing"
    response = client.post(path)
    assert response.status_code == 302
    csm.refresh_from_db()
    assert csm.email == "anna.new@northwind.example"

    # The old address is told, through the outbox.
    mail.outbox.clear()
    notification_relay()
    (notice,) = mail.outbox
    assert notice.to == [old_email]
    assert "anna.new@northwind.example" in notice.body and old_email in notice.body


def test_the_confirmation_link_is_single_use_and_works_without_signing_in(client, csm):
    change = services.email_change_request(user=csm, new_email="anna.new@northwind.example")
    path = reverse("accounts:email_change_confirm", args=[services.email_change_token(change)])
    anonymous = Client()
    response = anonymous.post(path)
    assert response.status_code == 200 and 'data-testid="email-change-done"' in response.content.decode()
    csm.refresh_from_db()
    assert csm.email == "anna.new@northwind.example"
    assert anonymous.post(path).status_code == 410
    assert anonymous.get(path).status_code == 410


def test_the_confirmation_link_expires(csm, settings):
    change = services.email_change_request(user=csm, new_email="anna.new@northwind.example")
    later = timezone.now() + timedelta(hours=settings.EMAIL_CHANGE_VALID_HOURS, seconds=1)
    with pytest.raises(services.ValidationError, match="expired"):
        services.email_change_confirm(token=services.email_change_token(change), now=later)
    path = reverse("accounts:email_change_confirm", args=[services.email_change_token(change)])
    EmailChange.objects.filter(pk=change.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get(path).status_code == 410


def test_a_newer_request_replaces_the_older_link(csm):
    first = services.email_change_request(user=csm, new_email="first@northwind.example")
    services.email_change_request(user=csm, new_email="second@northwind.example")
    with pytest.raises(services.ValidationError):
        services.email_change_confirm(token=services.email_change_token(first))
    csm.refresh_from_db()
    assert csm.email != "first@northwind.example"
    # Its mail, not yet sent, is not sent at all.
    notification_relay()
    assert [message.to for message in mail.outbox] == [["second@northwind.example"]]


def test_only_the_latest_request_can_be_confirmed_even_when_an_older_one_is_still_pending(csm):
    """Two requests that overlapped (two tabs submitted at once) could each miss the other's row and leave two links
    pending: the older one must still be void, as a newer request always voids it."""
    now = timezone.now()
    older, newer = (
        EmailChange.objects.create(
            user=csm, new_email=email, nonce=nonce, created_at=now, expires_at=now + timedelta(hours=1)
        )
        for email, nonce in (("first@northwind.example", "n-1"), ("second@northwind.example", "n-2"))
    )
    with pytest.raises(services.ValidationError, match="expired or has already been used"):
        services.email_change_confirm(token=services.email_change_token(older))
    csm.refresh_from_db()
    assert csm.email != "first@northwind.example"
    services.email_change_confirm(token=services.email_change_token(newer))
    csm.refresh_from_db()
    assert csm.email == "second@northwind.example"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_requests_leave_one_link_pending(csm, monkeypatch):
    """Both requests run at once: the second waits for the first and voids its link, so never two are pending."""
    import threading

    from django.db import connection

    both_inside = threading.Barrier(2, timeout=3)
    original = EmailChange.full_clean

    def full_clean_once_both_are_inside(self, *args, **kwargs):
        # Without a lock both requests get here before either commits; with one, the second is still waiting.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_inside.wait()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EmailChange, "full_clean", full_clean_once_both_are_inside)

    def ask(email):
        try:
            services.email_change_request(user=csm, new_email=email)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(f"tab{n}@northwind.example",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert EmailChange.objects.filter(user=csm).count() == 2
    assert EmailChange.objects.pending(timezone.now()).filter(user=csm).count() == 1


def test_a_forged_or_tampered_link_changes_nothing(csm):
    change = services.email_change_request(user=csm, new_email="anna.new@northwind.example")
    token = services.email_change_token(change)
    assert Client().get(reverse("accounts:email_change_confirm", args=[token[:-2] + "xx"])).status_code == 404
    assert Client().post(reverse("accounts:email_change_confirm", args=[change.nonce])).status_code == 404
    csm.refresh_from_db()
    assert csm.email != "anna.new@northwind.example"


def test_email_change_form_does_not_reveal_that_another_account_has_the_address(client, csm, pm):
    client.force_login(csm)
    taken = _ask(client, pm.email.upper())
    taken_page = client.get(reverse("accounts:profile")).content.decode()
    free = _ask(client, "free@northwind.example")
    free_page = client.get(reverse("accounts:profile")).content.decode()
    assert (taken.status_code, taken["Location"]) == (free.status_code, free["Location"])
    for page, email in ((taken_page, pm.email), (free_page, "free@northwind.example")):
        assert f"We sent a confirmation link to {email}" in page
        assert "already exists" not in page
    # Only the address's owner learns of it, and there is nothing to confirm.
    notification_relay()
    to_pm = [message for message in mail.outbox if message.to == [pm.email]]
    assert len(to_pm) == 1 and "/accounts/email/confirm/" not in to_pm[0].body
    csm.refresh_from_db()
    assert csm.email != pm.email


def test_the_per_address_limit_on_taken_notices_holds_for_the_unicode_spellings_of_it(client, csm, settings):
    """ "ıt-sales@..." is not "it-sales@...": asking for it must not mail the holder of the latter once more per
    spelling, past the limit on mail to one address."""
    settings.MAIL_LIMIT_PER_ADDRESS = 1
    holder = UserFactory(email="it-sales@acme.example")
    client.force_login(csm)
    for spelling in ("it-sales@acme.example", "ıt-sales@acme.example", "it-ſales@acme.example"):
        _ask(client, spelling)
    assert Notification.objects.filter(recipient=holder).count() == 1
    csm.refresh_from_db()
    assert csm.email != holder.email


def test_an_address_taken_before_confirmation_is_refused_without_harm(csm, client_org):
    change = services.email_change_request(user=csm, new_email="shared@northwind.example")
    UserFactory(email="shared@northwind.example", organization=client_org, role=Role.CLIENT_MEMBER)
    path = reverse("accounts:email_change_confirm", args=[services.email_change_token(change)])
    response = Client().post(path)
    assert response.status_code == 200
    assert "can no longer be used" in response.content.decode()
    csm.refresh_from_db()
    assert csm.email != "shared@northwind.example"


def test_asking_for_ones_own_address_is_refused(client, csm):
    client.force_login(csm)
    response = _ask(client, csm.email.upper())
    assert response.status_code == 200
    assert "already your email address" in response.content.decode()
    assert not EmailChange.objects.exists()


def test_email_changes_are_limited_per_address(client, csm, settings):
    settings.MAIL_LIMIT_PER_ADDRESS = 1
    client.force_login(csm)
    assert _ask(client, "victim@example.com").status_code == 302
    response = _ask(client, "victim@example.com")
    assert response.status_code == 429
    assert EmailChange.objects.count() == 1


def test_admins_see_email_changes_read_only_and_without_the_nonce(client, csm, vendor):
    change = services.email_change_request(user=csm, new_email="anna.new@northwind.example")
    admin = UserFactory(vendor_admin=True, organization=vendor, is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get(reverse("admin:accounts_emailchange_changelist"))
    assert listing.status_code == 200 and "anna.new@northwind.example" in listing.content.decode()
    detail = client.get(reverse("admin:accounts_emailchange_change", args=[change.pk]))
    assert detail.status_code == 200
    assert change.nonce not in detail.content.decode()
    assert client.get(reverse("admin:accounts_emailchange_add")).status_code == 403
