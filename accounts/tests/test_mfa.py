"""Two-factor login: the policy, the login's code step (TOTP, recovery codes), the lockout on wrong codes, the
enrolment gate and page, the step-up, an admin's reset."""

import time

import pytest
from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from accounts.mfa import services
from accounts.mfa.policy import has_second_factor, mfa_required
from accounts.tests.factories import PASSWORD, OrganizationFactory, UserFactory, enrol_totp, totp_code
from notifications.models import Notification

pytestmark = pytest.mark.django_db

RECORDS_KEY = "account_authentication_methods"


def _password(client, user, password=PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"username": user.email, "password": password, **extra})


def _code(client, code):
    return client.post(reverse("accounts:mfa_authenticate"), {"code": code})


def _records(client, user):
    class _Request:
        session = client.session

    return get_authentication_records(_Request, user)


# --- Policy ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("traits", "required"),
    [
        ({"vendor_admin": True}, True),
        ({"director": True}, True),
        ({"csm": True}, False),
        ({"pm": True}, False),
        ({"executive": True}, False),
        ({"csm": True, "is_staff": True}, True),
        ({"pm": True, "is_superuser": True}, True),
        ({"key_user": True}, False),
        ({"client_member": True}, False),
    ],
)
def test_who_must_have_a_second_factor(traits, required):
    assert mfa_required(UserFactory(**traits)) is required


def test_a_client_may_require_it_for_its_people():
    client_org = OrganizationFactory(require_mfa=True)
    assert mfa_required(UserFactory(client_member=True, organization=client_org))
    assert mfa_required(UserFactory(key_user=True, organization=client_org))
    # The vendor organization's flag means nothing: staff follow their roles.
    vendor_csm = UserFactory(csm=True)
    vendor_csm.organization.require_mfa = True
    assert not mfa_required(vendor_csm)


def test_recovery_codes_alone_are_no_second_factor():
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user = UserFactory()
    RecoveryCodes.activate(user)
    assert not has_second_factor(user)
    enrol_totp(user)
    assert has_second_factor(user)


# --- Login with a second factor ----------------------------------------------------------------------------------


def test_login_with_password_then_totp_code(client):
    user = UserFactory(csm=True)
    secret = enrol_totp(user)
    response = _password(client, user)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:mfa_authenticate")
    # The right password alone signs nobody in.
    assert client.get(reverse("accounts:profile")).status_code == 302
    page = client.get(reverse("accounts:mfa_authenticate"))
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.content.decode()
    response = _code(client, totp_code(secret))
    assert response.status_code == 302 and response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert client.get(reverse("accounts:profile")).status_code == 200
    records = _records(client, user)
    assert [r["method"] for r in records] == ["password", "mfa"]
    assert records[1]["type"] == Authenticator.Type.TOTP
    assert Authenticator.objects.get(user=user, type="totp").last_used_at is not None


def test_the_next_address_survives_the_code_step(client):
    user = UserFactory(csm=True)
    secret = enrol_totp(user)
    _password(client, user, next=reverse("accounts:profile"))
    assert _code(client, totp_code(secret))["Location"] == reverse("accounts:profile")


def test_a_code_is_refused_twice(client):
    user = UserFactory(csm=True)
    secret = enrol_totp(user)
    code = totp_code(secret)
    _password(client, user)
    _code(client, code)
    client.post(reverse("accounts:logout"))
    _password(client, user)
    response = _code(client, code)
    assert response.status_code == 400 and "wrong or was already used" in response.content.decode()


def test_login_without_a_factor_records_the_password(client):
    user = UserFactory(csm=True)
    assert _password(client, user)["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert [r["method"] for r in _records(client, user)] == ["password"]


def test_a_recovery_code_signs_in_once(client):
    user = UserFactory(csm=True)
    enrol_totp(user)
    code = Authenticator.objects.get(user=user, type="recovery_codes").wrap().get_unused_codes()[0]
    _password(client, user)
    response = _code(client, code)
    assert response.status_code == 302
    records = _records(client, user)
    assert records[-1]["method"] == "mfa" and records[-1]["type"] == Authenticator.Type.RECOVERY_CODES
    assert services.recovery_codes_left(user) == 9
    client.post(reverse("accounts:logout"))
    _password(client, user)
    assert _code(client, code).status_code == 400


def test_the_code_page_without_a_password_first_goes_back_to_login(client):
    response = client.get(reverse("accounts:mfa_authenticate"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")


def test_the_code_page_waits_only_a_few_minutes(client):
    user = UserFactory(csm=True)
    secret = enrol_totp(user)
    _password(client, user)
    session = client.session
    session[services.PENDING_KEY]["at"] -= settings.MFA_LOGIN_TIMEOUT_SECONDS + 1
    session.save()
    response = _code(client, totp_code(secret))
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_wrong_codes_lock_the_account_out(client):
    user = UserFactory(csm=True)
    secret = enrol_totp(user)
    _password(client, user)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _code(client, "000000").status_code == 400
    response = _code(client, "000000")
    assert 'data-testid="locked-out"' in response.content.decode()
    # The right code and even the right password are refused while the lock lasts.
    assert 'data-testid="locked-out"' in _code(client, totp_code(secret)).content.decode()
    assert 'data-testid="locked-out"' in _password(client, user).content.decode()
    assert client.get(reverse("accounts:profile")).status_code == 302


# --- Enrolment ---------------------------------------------------------------------------------------------------


def test_who_must_enrol_reaches_only_the_enrolment_until_they_do(client):
    director = UserFactory(director=True)
    response = _password(client, director)
    assert response["Location"] == reverse("accounts:mfa_enrol")
    assert client.get(reverse("home"))["Location"] == reverse("accounts:mfa_enrol")
    assert client.get(reverse("accounts:profile"))["Location"] == reverse("accounts:mfa_enrol")
    page = client.get(reverse("accounts:mfa_enrol"))
    assert page.status_code == 200 and 'data-testid="totp-qr"' in page.content.decode()
    secret = client.session[services.ENROL_SECRET_KEY]
    # A wrong code changes nothing and says so.
    wrong = client.post(reverse("accounts:mfa_enrol"), {"code": "123"})
    assert wrong.status_code == 400 and not has_second_factor(director)
    response = client.post(reverse("accounts:mfa_enrol"), {"code": totp_code(secret)})
    assert response["Location"] == reverse("accounts:mfa_recovery_codes")
    codes_page = client.get(reverse("accounts:mfa_recovery_codes")).content.decode()
    codes = Authenticator.objects.get(user=director, type="recovery_codes").wrap().get_unused_codes()
    assert len(codes) == 10 and all(code in codes_page for code in codes)
    # Shown once.
    assert client.get(reverse("accounts:mfa_recovery_codes"))["Location"] == reverse("accounts:mfa_enrol")
    assert client.get(reverse("home")).status_code == 200
    assert _records(client, director)[-1]["method"] == "mfa"


def test_recovery_codes_regenerate_and_the_old_stop_working(client):
    user = UserFactory(csm=True)
    secret = enrol_totp(user)
    old = Authenticator.objects.get(user=user, type="recovery_codes").wrap().get_unused_codes()
    _password(client, user)
    _code(client, totp_code(secret))
    response = client.post(reverse("accounts:mfa_recovery_codes_regenerate"))
    assert response["Location"] == reverse("accounts:mfa_recovery_codes")
    new = Authenticator.objects.get(user=user, type="recovery_codes").wrap().get_unused_codes()
    assert set(new).isdisjoint(old)
    page = client.get(reverse("accounts:mfa_recovery_codes")).content.decode()
    assert all(code in page for code in new)


def test_who_must_have_it_cannot_turn_it_off(client):
    director = UserFactory(director=True)
    secret = enrol_totp(director)
    _password(client, director)
    _code(client, totp_code(secret))
    client.post(reverse("accounts:mfa_remove"))
    assert has_second_factor(director)
    csm = UserFactory(csm=True)
    secret = enrol_totp(csm)
    client.post(reverse("accounts:logout"))
    _password(client, csm)
    _code(client, totp_code(secret))
    client.post(reverse("accounts:mfa_remove"))
    assert not Authenticator.objects.filter(user=csm).exists()


def test_the_profile_offers_the_enrolment(client):
    user = UserFactory(csm=True)
    client.force_login(user)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:mfa_enrol") in page and 'data-testid="profile-mfa"' in page


# --- Step-up -----------------------------------------------------------------------------------------------------


def _signed_in_with_code(client, user):
    secret = enrol_totp(user)
    _password(client, user)
    _code(client, totp_code(secret))
    return secret


def _age_second_factor(client, minutes):
    session = client.session
    session[RECORDS_KEY] = [{**r, "at": r["at"] - minutes * 60} for r in session[RECORDS_KEY]]
    session.save()


TOKEN = {"name": "Reporting", "scopes": ["engagements:read"]}


def test_step_up_asks_again_after_the_setting_and_keeps_the_post(client):
    user = UserFactory(csm=True)
    secret = _signed_in_with_code(client, user)
    _age_second_factor(client, settings.MFA_STEP_UP_MINUTES + 1)
    response = client.post(reverse("api:tokens"), TOKEN)
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="step-up-form"' in page
    # The decision's fields ride along, hidden; nothing was created yet.
    assert 'name="name" value="Reporting"' in page and 'name="scopes" value="engagements:read"' in page
    assert 'name="step_up-code"' in page
    assert not user.api_tokens.exists()
    wrong = client.post(reverse("api:tokens"), {**TOKEN, "step_up-code": "000000"})
    assert wrong.status_code == 400 and 'data-testid="step-up-form"' in wrong.content.decode()
    done = client.post(reverse("api:tokens"), {**TOKEN, "step_up-code": totp_code(secret, step=1)})
    assert done.status_code == 200 and 'data-testid="step-up-form"' not in done.content.decode()
    assert "Reporting" in done.content.decode()
    records = _records(client, user)
    assert records[-1]["method"] == "mfa" and records[-1]["reauthenticated"] is True


def test_no_step_up_within_the_setting(client):
    user = UserFactory(csm=True)
    _signed_in_with_code(client, user)
    _age_second_factor(client, settings.MFA_STEP_UP_MINUTES - 1)
    response = client.post(reverse("api:tokens"), TOKEN)
    assert 'data-testid="step-up-form"' not in response.content.decode()


def test_no_step_up_without_a_second_factor(client):
    client.force_login(UserFactory(csm=True))
    response = client.post(reverse("api:tokens"), TOKEN)
    assert 'data-testid="step-up-form"' not in response.content.decode()


def test_wrong_step_up_codes_count_towards_the_lockout(client):
    user = UserFactory(csm=True)
    _signed_in_with_code(client, user)
    _age_second_factor(client, settings.MFA_STEP_UP_MINUTES + 1)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("api:tokens"), {**TOKEN, "step_up-code": "000000"})
    response = client.post(reverse("api:tokens"), {**TOKEN, "step_up-code": "000000"})
    assert 'data-testid="locked-out"' in response.content.decode()


# --- An admin resets a lost factor -------------------------------------------------------------------------------


def test_an_admin_resets_a_lost_factor_recorded_and_told(client):
    admin = UserFactory(vendor_admin=True, is_staff=True, is_superuser=True)
    person = UserFactory(director=True)
    enrol_totp(person)
    assert services.mfa_reset(by=admin, user=person) == 2
    assert not Authenticator.objects.filter(user=person).exists()
    entry = services.reset_log_entries(person).get()
    assert entry.user == admin and entry.action_flag == 2
    mail = Notification.objects.get(template="accounts/email/mfa_reset")
    assert person.email in (mail.to_email, getattr(mail.recipient, "email", None))
    assert "reset" in mail.subject
    # The person signs in with the password and must enrol again.
    assert _password(client, person)["Location"] == reverse("accounts:mfa_enrol")


def test_the_reset_is_an_admin_action(client):
    admin = UserFactory(vendor_admin=True, is_staff=True, is_superuser=True)
    person = UserFactory(csm=True)
    enrol_totp(person)
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [person.pk]},
    )
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=person).exists()
    assert LogEntry.objects.filter(object_id=str(person.pk), user=admin).exists()


def test_only_admins_reset():
    from django.core.exceptions import PermissionDenied

    person = UserFactory(csm=True)
    enrol_totp(person)
    with pytest.raises(PermissionDenied):
        services.mfa_reset(by=UserFactory(director=True), user=person)
    assert has_second_factor(person)


def test_the_admin_signs_in_on_the_portal_login(client):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=/admin/accounts/user/" in response["Location"].replace("%2F", "/")


def test_the_second_factor_time_is_read_from_allauths_records(rf):
    user = UserFactory()
    request = rf.get("/")
    request.session = {}
    assert services.last_second_factor_at(request, user) is None
    request.session = {
        RECORDS_KEY: [{"method": "mfa", "at": time.time() - 60}],
        "account_authentication_methods_user": str(user.pk),
    }
    assert services.second_factor_is_recent(request, user)
