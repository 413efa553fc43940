"""Admins create service-account tokens (the secret shown once) and revoke tokens in the Django admin."""

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from api.models import ApiToken
from api.tokens import digest

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_service_account_token_and_revokes_it(vendor):
    admin = UserFactory(vendor_admin=True, organization=vendor, is_staff=True, is_superuser=True)
    crm = UserFactory(director=True, organization=vendor, full_name="CRM")
    browser = Client()
    browser.force_login(admin)
    page = browser.post(
        "/admin/api/apitoken/add/",
        {"name": "CRM", "kind": "service", "user": crm.pk, "scopes": ["engagements:write"], "expires_at": ""},
        follow=True,
    )
    assert page.status_code == 200
    token = ApiToken.objects.get()
    secret = next(str(m) for m in page.context["messages"]).rsplit(" ", 1)[-1]
    assert token.digest == digest(secret) and token.user == crm and token.created_by == admin
    assert token.kind == "service"
    browser.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin


def test_an_expiry_in_the_past_is_refused(vendor):
    admin = UserFactory(vendor_admin=True, organization=vendor, is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    page = browser.post(
        "/admin/api/apitoken/add/",
        {
            "name": "Old",
            "kind": "personal",
            "user": admin.pk,
            "scopes": ["users:read"],
            "expires_at_0": "2001-01-01",
            "expires_at_1": "10:00:00",
        },
    )
    assert page.status_code == 200 and not ApiToken.objects.exists()
