"""The login lockout (django-axes): per normalized username and per client address, behind our proxy too, and
counting every place where a password is checked."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.client_address import client_ip
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PROXY = "10.0.0.5"


def _from(address, via_proxy=True):
    """A browser at ``address``, behind our TLS proxy (or reaching the app directly)."""
    if via_proxy:
        return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)
    return Client(REMOTE_ADDR=address)


def _log_in(browser, username, password):
    return browser.post(LOGIN, {"username": username, "password": password})


def _signed_in(browser, user):
    return browser.session.get("_auth_user_id") == str(user.pk)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]


def test_lockout_is_per_user_not_per_proxy_address(behind_proxy, csm, pm, client_key_user):
    attacker = _from("203.0.113.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(attacker, csm.email, "guess")
    # Everyone else behind the same proxy still logs in...
    for user, address in ((pm, "198.51.100.7"), (client_key_user, "192.0.2.44")):
        browser = _from(address)
        response = _log_in(browser, user.email, PASSWORD)
        assert response.status_code == 302, f"{user.email} was locked out by someone else's failures"
        assert _signed_in(browser, user)
    # ...while the account under attack is locked, from any address, and so is the attacker's address.
    response = _log_in(_from("198.51.100.8"), csm.email, PASSWORD)
    assert response.status_code == 429
    assert _log_in(attacker, pm.email, PASSWORD).status_code == 429


def test_an_address_spraying_many_accounts_is_locked_by_its_own_address(behind_proxy, pm):
    sprayer = _from("203.0.113.66")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _log_in(sprayer, f"victim{n}@example.com", "Winter2026!")
    assert _log_in(sprayer, pm.email, PASSWORD).status_code == 429
    assert _log_in(_from("198.51.100.7"), pm.email, PASSWORD).status_code == 302


def test_an_ipv6_client_counts_as_one_address_across_its_64_block(pm):
    """One IPv6 connection owns a /64 (2^64 addresses): counted per address, a sprayer would take a fresh one for
    every guess and never be locked."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        _log_in(Client(REMOTE_ADDR=f"2001:db8:7:1::{n + 1:x}"), f"victim{n}@example.com", "Winter2026!")
    assert _log_in(Client(REMOTE_ADDR="2001:db8:7:1:ffff::9"), pm.email, PASSWORD).status_code == 429
    # The neighbouring block is someone else.
    assert _log_in(Client(REMOTE_ADDR="2001:db8:7:2::1"), pm.email, PASSWORD).status_code == 302


def test_forwarded_addresses_are_ignored_from_anyone_but_a_trusted_proxy(settings, pm):
    # No proxy configured: a client that invents X-Forwarded-For headers is still one address.
    settings.TRUSTED_PROXIES = []
    for n in range(settings.AXES_FAILURE_LIMIT):
        browser = Client(REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        _log_in(browser, f"victim{n}@example.com", "guess")
    browser = Client(REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert _log_in(browser, pm.email, PASSWORD).status_code == 429


def test_lockout_counts_every_spelling_of_the_username(client, settings):
    user = UserFactory(email="it@acme.example")
    spellings = ["it@acme.example", "IT@ACME.EXAMPLE", " it@acme.example", "It@Acme.Example ", "iT@acme.EXAMPLE"]
    for n, spelling in enumerate(spellings[: settings.AXES_FAILURE_LIMIT]):
        # A new address each time, so only the username can be what locks.
        _log_in(Client(REMOTE_ADDR=f"198.51.100.{n}"), spelling, "guess")
    for spelling in spellings:
        response = _log_in(Client(REMOTE_ADDR="192.0.2.1"), spelling, PASSWORD)
        assert response.status_code == 429, f"{spelling!r} got fresh attempts"
    assert not user.last_login


def test_wrong_current_passwords_on_the_profile_count_towards_the_lockout(client, csm):
    client.force_login(csm)
    url = reverse("accounts:profile")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"email-email": "new@northwind.example", "email-current_password": "guess"})
        assert response.status_code == 200
    response = client.post(url, {"email-email": "new@northwind.example", "email-current_password": "guess"})
    assert response.status_code == 429
    assert 'data-testid="locked-out"' in response.content.decode()
    # Refused while it lasts, even with the right password, on the profile and at the login.
    response = client.post(url, {"email-email": "new@northwind.example", "email-current_password": PASSWORD})
    assert response.status_code == 429
    assert not csm.email_changes.exists()
    assert _log_in(Client(REMOTE_ADDR="192.0.2.9"), csm.email, PASSWORD).status_code == 429


def test_wrong_old_passwords_on_password_change_count_and_it_is_refused_while_locked(client, csm):
    url = reverse("accounts:password_change")
    new = {"new_password1": "brand-new-phrase-42", "new_password2": "brand-new-phrase-42"}
    client.force_login(csm)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, {"old_password": "guess", **new}).status_code == 200
    assert client.post(url, {"old_password": "guess", **new}).status_code == 429
    response = client.post(url, {"old_password": PASSWORD, **new})
    assert response.status_code == 429
    csm.refresh_from_db()
    assert csm.check_password(PASSWORD)


def test_wrong_old_passwords_on_the_admins_password_change_count_too(client, vendor_admin):
    """The admin has a password-change page of its own: a stolen admin session must not guess the password there
    without limit either."""
    vendor_admin.is_staff = True
    vendor_admin.save(update_fields=["is_staff"])
    url = reverse("admin:password_change")
    new = {"new_password1": "brand-new-phrase-42", "new_password2": "brand-new-phrase-42"}
    client.force_login(vendor_admin)
    assert client.get(url).status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, {"old_password": "guess", **new}).status_code == 200
    assert client.post(url, {"old_password": "guess", **new}).status_code == 429
    assert client.post(url, {"old_password": PASSWORD, **new}).status_code == 429
    vendor_admin.refresh_from_db()
    assert vendor_admin.check_password(PASSWORD)
    assert _log_in(Client(REMOTE_ADDR="192.0.2.9"), vendor_admin.email, PASSWORD).status_code == 429


def test_the_admins_password_change_still_works(client, vendor_admin):
    vendor_admin.is_staff = True
    vendor_admin.save(update_fields=["is_staff"])
    client.force_login(vendor_admin)
    new = {"new_password1": "brand-new-phrase-42", "new_password2": "brand-new-phrase-42"}
    response = client.post(reverse("admin:password_change"), {"old_password": PASSWORD, **new})
    assert response.status_code == 302 and response["Location"] == reverse("admin:password_change_done")
    vendor_admin.refresh_from_db()
    assert vendor_admin.check_password("brand-new-phrase-42")
    assert "site_header" in client.get(reverse("admin:password_change")).context


def test_the_right_current_password_still_works_below_the_limit(client, csm):
    client.force_login(csm)
    url = reverse("accounts:password_change")
    client.post(url, {"old_password": "guess", "new_password1": "x", "new_password2": "x"})
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": "brand-new-phrase-42", "new_password2": "brand-new-phrase-42"}
    )
    assert response.status_code == 302
    csm.refresh_from_db()
    assert csm.check_password("brand-new-phrase-42")


def test_logging_into_ones_own_account_does_not_clear_failures_against_another(pm):
    attacker_account = UserFactory(email="mallory@example.com")
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    # Guesses at the victim, interleaved with logins to an account the attacker owns.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(attacker, pm.email, "guess")
        if _log_in(attacker, attacker_account.email, PASSWORD).status_code == 302:
            attacker.post(reverse("accounts:logout"))
    assert _log_in(Client(REMOTE_ADDR="192.0.2.9"), pm.email, PASSWORD).status_code == 429


def test_a_successful_login_clears_the_accounts_own_failures(client, csm):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(client, csm.email, "guess")
    assert _log_in(client, csm.email, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(Client(REMOTE_ADDR="192.0.2.9"), csm.email, "guess")
    assert _log_in(Client(REMOTE_ADDR="192.0.2.10"), csm.email, PASSWORD).status_code == 302


# --- The client's address --------------------------------------------------------------------------------


def _request(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # Not from a proxy of ours: the header is the client's own invention.
        ("203.0.113.9", "192.0.2.1", "203.0.113.9"),
        # Our proxy appended the address it saw; whatever the client sent further left is ignored.
        ("10.0.0.5", "192.0.2.1", "192.0.2.1"),
        ("10.0.0.5", "1.1.1.1, 192.0.2.1", "192.0.2.1"),
        ("10.0.0.5", "not-an-ip, 192.0.2.1", "192.0.2.1"),
        # Two proxies of ours in a row (load balancer, then nginx): skip both.
        ("10.0.0.5", "1.1.1.1, 192.0.2.1, 10.0.0.7", "192.0.2.1"),
        # Ports, brackets and IPv4 seen through a dual-stack socket.
        ("10.0.0.5", "192.0.2.1:51234", "192.0.2.1"),
        ("10.0.0.5", "[2001:db8::7]:443", "2001:db8::7"),
        ("::ffff:10.0.0.5", "2001:db8::7", "2001:db8::7"),
        # A proxy of ours without the header: the proxy is all we know.
        ("10.0.0.5", None, "10.0.0.5"),
        ("10.0.0.5", "garbage", "10.0.0.5"),
    ],
)
def test_client_address_is_the_first_untrusted_hop_from_the_right(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(_request(remote, forwarded)) == expected


def test_without_trusted_proxies_the_client_is_remote_addr(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("10.0.0.5", "192.0.2.1")) == "10.0.0.5"


def test_a_bad_trusted_proxy_entry_stops_the_start_up(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import onboarding_portal.settings as settings_module

    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal")
    with pytest.raises(ImproperlyConfigured, match="proxy.internal"):
        importlib.reload(settings_module)
    monkeypatch.delenv("TRUSTED_PROXIES")
    importlib.reload(settings_module)


def test_lockout_counts_the_unicode_spellings_the_database_folds_onto_the_account(settings):
    """ "ıt@acme.example" (dotless i) and "ſ" (long s) are what PostgreSQL's case-insensitive match folds onto "it@..."
    and "s...": if the login matched them, each would be a fresh username to django-axes."""
    user = UserFactory(email="it-sales@acme.example")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _log_in(Client(REMOTE_ADDR=f"198.51.100.{n}"), user.email, "guess")
    for n, spelling in enumerate(["ıt-sales@acme.example", "it-ſales@acme.example", "İT-SALES@ACME.EXAMPLE"]):
        browser = Client(REMOTE_ADDR=f"192.0.2.{n}")
        _log_in(browser, spelling, PASSWORD)
        assert not _signed_in(browser, user), f"{spelling!r} got fresh attempts at {user.email}"
    user.refresh_from_db()
    assert not user.last_login
