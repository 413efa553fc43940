import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts import services

pytestmark = pytest.mark.django_db


def test_deactivating_a_user_ends_their_sessions_at_once(client, vendor_admin, csm, django_capture_on_commit_callbacks):
    client.force_login(csm)
    assert client.get(reverse("home")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.user_deactivate(by=vendor_admin, user=csm)
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(csm.pk)]
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_only_admins_deactivate(csm, pm):
    with pytest.raises(services.PermissionDenied):
        services.user_deactivate(by=csm, user=pm)


def test_sessions_expire_after_idle_time():
    # Each request pushes the expiry on; a session left idle this long is gone.
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_login_starts_a_new_session(client, csm):
    client.get(reverse("accounts:login"))
    client.cookies["sessionid"] = "attacker-chosen"
    client.post(reverse("accounts:login"), {"username": csm.email, "password": "correct-horse-battery"})
    assert client.cookies["sessionid"].value != "attacker-chosen"


def test_email_change_needs_the_current_password(client, csm):
    client.force_login(csm)
    response = client.post(
        reverse("accounts:profile"), {"email-email": "new@northwind.example", "email-current_password": "wrong"}
    )
    assert response.status_code == 200
    assert "incorrectly" in response.content.decode()
    assert not csm.email_changes.exists()
    response = client.post(
        reverse("accounts:profile"),
        {"email-email": "new@northwind.example", "email-current_password": "correct-horse-battery"},
    )
    assert response.status_code == 302
    # Asked for, not made: the new address confirms it first (test_account_mail).
    assert csm.email_changes.get().new_email == "new@northwind.example"


def test_preferences_change_the_time_zone_pages_use(client, csm):
    client.force_login(csm)
    response = client.post(
        reverse("accounts:profile"),
        {"prefs-full_name": "Anna K", "prefs-time_zone": "America/New_York", "prefs-language": "en"},
    )
    assert response.status_code == 302
    response = client.get(reverse("home"))
    assert "America/New_York" in response.content.decode()


def test_repeated_wrong_passwords_lock_the_account(client, csm):
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": csm.email, "password": "wrong"})
    response = client.post(url, {"username": csm.email, "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_by_email_ignores_case(client, csm):
    response = client.post(
        reverse("accounts:login"), {"username": csm.email.upper(), "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(csm.pk)


def test_each_request_pushes_the_idle_expiry_on_and_an_idle_session_ends(client, csm):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(csm)
    client.get(reverse("home"))
    session = Session.objects.get(session_key=client.session.session_key)
    assert session.expire_date > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    # Idle past the timeout: the stored expiry has passed.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_password_reset_by_email_sets_a_new_password(client, csm):
    from django.core import mail

    from notifications.services import notification_relay

    client.post(reverse("accounts:password_reset"), {"email": csm.email})
    notification_relay()
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/" in line)
    response = client.get(link[link.index("/accounts/") :], follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "brand-new-phrase-42", "new_password2": "brand-new-phrase-42"})
    assert response.status_code == 302
    csm.refresh_from_db()
    assert csm.check_password("brand-new-phrase-42")


def test_password_reset_says_nothing_about_unknown_addresses(client):
    from django.core import mail

    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []
