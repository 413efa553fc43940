"""The "API tokens" page: a person's own tokens, the secret shown once."""

import pytest
from django.test import Client

from api.models import ApiToken
from api.tokens import digest

pytestmark = pytest.mark.django_db


def test_create_show_once_use_and_revoke(client_member):
    browser = Client()
    browser.force_login(client_member)
    assert "API tokens" in browser.get("/accounts/profile/").content.decode()
    page = browser.post("/api/tokens/", {"name": "Sheet", "scopes": ["engagements:read"], "expires_on": ""})
    assert page.status_code == 200
    secret = page.context["created"].secret
    assert secret in page.content.decode()
    token = ApiToken.objects.get()
    assert token.digest == digest(secret) and token.user == client_member and token.created_by == client_member
    listing = browser.get("/api/tokens/").content.decode()
    assert secret not in listing and f"op_{token.prefix}" in listing
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/engagements/").status_code == 200
    assert browser.post(f"/api/tokens/{token.pk}/revoke/").status_code == 302
    assert api.get("/api/v1/engagements/").status_code == 401


def test_nobody_revokes_anothers_token_from_the_page(client_member, client_key_user):
    from api.tokens import token_create

    theirs = token_create(by=client_key_user, name="x", scopes=["users:read"]).token
    browser = Client()
    browser.force_login(client_member)
    assert browser.post(f"/api/tokens/{theirs.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_the_form_names_what_is_missing(client_member):
    browser = Client()
    browser.force_login(client_member)
    page = browser.post("/api/tokens/", {"name": "", "scopes": []})
    assert page.status_code == 200 and page.context["form"].errors.keys() == {"name", "scopes"}
    assert not ApiToken.objects.exists()


def test_the_reference_page_runs_under_the_csp(client_member):
    """No inline script or style: the set-up script is a file of ours and the assets are vendored static files."""
    browser = Client()
    browser.force_login(client_member)
    page = browser.get("/api/docs/")
    html = page.content.decode()
    assert page.status_code == 200 and "<style" not in html and "<script>" not in html
    assert "cdn" not in html.lower() and "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    script = browser.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
    assert Client().get("/api/docs/").status_code == 302
    schema = Client().get("/api/schema/?format=json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.1")
