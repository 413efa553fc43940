"""Tokens: stored hashed, shown once, scoped, expiring, revocable, throttled; a wrong one counts as a wrong
password."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from api import tokens
from api.models import ApiToken, TokenKind

from .factories import token_for

pytestmark = pytest.mark.django_db
ME = "/api/v1/users/me/"


def bearer(secret, **extra):
    client = APIClient(**extra)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_only_the_hash_is_stored_and_the_prefix_finds_it(csm):
    made = tokens.token_create(by=csm, name="laptop", scopes=["engagements:read"])
    row = ApiToken.objects.get()
    assert made.secret.startswith(f"op_{row.prefix}_") and len(made.secret) > 40
    assert made.secret not in str(list(ApiToken.objects.values()))
    assert row.digest == tokens.digest(made.secret)
    assert tokens.token_lookup(made.secret, now=timezone.now()) == row
    assert tokens.token_lookup(made.secret[:-1] + "x", now=timezone.now()) is None


def test_the_token_acts_as_its_user_with_its_scopes(csm):
    response = bearer(token_for(csm, scopes=["users:read"])).get(ME)
    assert response.status_code == 200
    assert response.json()["email"] == csm.email and response.json()["scopes"] == ["users:read"]
    refused = bearer(token_for(csm, scopes=["engagements:read"])).get(ME)
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"


def test_read_scope_does_not_write(csm, engagement):
    from checklists.tests.factories import ChecklistItemFactory

    item = ChecklistItemFactory(stage__engagement=engagement)
    client = bearer(token_for(csm, scopes=["checklists:read"]))
    assert client.get(f"/api/v1/items/{item.pk}/").status_code == 200
    assert client.post(f"/api/v1/items/{item.pk}/complete/", {}, format="json").status_code == 403


def test_expired_and_revoked_tokens_answer_401(csm):
    now = timezone.now()
    expired = tokens.token_create(by=csm, name="old", scopes=["users:read"], expires_at=now + timedelta(seconds=1))
    ApiToken.objects.filter(pk=expired.token.pk).update(expires_at=now - timedelta(seconds=1))
    revoked = tokens.token_create(by=csm, name="gone", scopes=["users:read"])
    tokens.token_revoke(by=csm, token=revoked.token)
    for secret in (expired.secret, revoked.secret, "op_nothing_" + "x" * 40, "garbage"):
        response = bearer(secret).get(ME)
        assert response.status_code == 401, secret
        assert response["WWW-Authenticate"] == "Bearer"
        assert response.json()["status"] == 401
    assert APIClient().get(ME).status_code == 401


def test_only_admins_make_service_accounts_or_tokens_for_others(csm, pm, vendor_admin):
    with pytest.raises(PermissionDenied):
        tokens.token_create(by=csm, name="x", scopes=["users:read"], user=pm)
    with pytest.raises(PermissionDenied):
        tokens.token_create(by=csm, name="CRM", scopes=["users:read"], kind=TokenKind.SERVICE)
    vendor_admin.is_staff = True
    vendor_admin.save()
    made = tokens.token_create(by=vendor_admin, name="CRM", scopes=["engagements:write"], user=pm, kind="service")
    assert made.token.user == pm and made.token.created_by == vendor_admin
    with pytest.raises(PermissionDenied):
        tokens.token_revoke(by=csm, token=made.token)
    with pytest.raises(ValidationError) as error:
        tokens.token_create(by=csm, name="", scopes=["nope:read"])
    assert set(error.value.message_dict) == {"name", "scopes"}


def test_last_used_is_written_at_most_once_a_minute(csm):
    made = tokens.token_create(by=csm, name="x", scopes=["users:read"])
    start = timezone.now()
    token = made.token
    tokens.token_touch(token, now=start)
    with CaptureQueriesContext(connection) as queries:
        tokens.token_touch(token, now=start + timedelta(seconds=59))
    assert len(queries) == 0
    assert ApiToken.objects.get().last_used_at == start
    tokens.token_touch(token, now=start + timedelta(seconds=61))
    assert ApiToken.objects.get().last_used_at == start + timedelta(seconds=61)
    # Another process that loaded the token before the write does not write again within the minute.
    stale = ApiToken.objects.get()
    stale.last_used_at = None
    tokens.token_touch(stale, now=start + timedelta(seconds=90))
    assert ApiToken.objects.get().last_used_at == start + timedelta(seconds=61)


def test_wrong_tokens_lock_the_address_like_wrong_passwords(csm, settings):
    settings.AXES_FAILURE_LIMIT = 3
    good = token_for(csm, scopes=["users:read"])
    for _ in range(2):
        assert bearer("op_abcdef12_" + "x" * 43, REMOTE_ADDR="203.0.113.9").get(ME).status_code == 401
    third = bearer("op_abcdef12_" + "y" * 43, REMOTE_ADDR="203.0.113.9").get(ME)
    assert third.status_code == 429 and third["Content-Type"] == "application/problem+json"
    assert int(third["Retry-After"]) > 0
    # The address is locked out, whichever token it sends now; another address is not.
    assert bearer(good, REMOTE_ADDR="203.0.113.9").get(ME).status_code == 429
    assert bearer(good, REMOTE_ADDR="198.51.100.7").get(ME).status_code == 200
    # ...and the login page counts the same failures for that address.
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.filter(ip_address="203.0.113.9").exists()


def test_requests_are_throttled_per_token_with_ratelimit_headers(csm, settings):
    settings.API_RATE_PER_MINUTE = 2
    client = bearer(token_for(csm, scopes=["users:read"]))
    first = client.get(ME)
    assert first["RateLimit-Limit"] == "2" and first["RateLimit-Remaining"] == "1"
    assert client.get(ME)["RateLimit-Remaining"] == "0"
    refused = client.get(ME)
    assert refused.status_code == 429 and refused["Content-Type"] == "application/problem+json"
    assert int(refused["Retry-After"]) > 0 and refused["RateLimit-Remaining"] == "0"
    # Another token of the same person has its own budget.
    assert bearer(token_for(csm, scopes=["users:read"])).get(ME).status_code == 200
