"""Response headers: a Content-Security-Policy that allows only our own files, and signed-in pages that no
cache keeps."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _policy(response):
    return dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in response["Content-Security-Policy"].split(";"))
    )


@pytest.mark.parametrize("signed_in", [False, True])
def test_html_pages_carry_a_content_security_policy(client, csm, engagement, signed_in):
    if signed_in:
        client.force_login(csm)
        response = client.get(reverse("portfolio:engagement", args=[engagement.pk]))
    else:
        response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"].split()[0] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_error_pages_carry_the_policy_too(client, csm):
    client.force_login(csm)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_signed_in_pages_are_private_and_not_stored(client, csm, engagement):
    client.force_login(csm)
    for url in (reverse("home"), reverse("portfolio:engagement", args=[engagement.pk]), reverse("accounts:profile")):
        response = client.get(url)
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, f"{url}: {response['Cache-Control']}"
        assert "public" not in directives


def test_pages_behind_a_secret_link_are_not_stored_either(client, csm, engagement):
    """The invitation and address-confirmation pages are opened signed out, but show whose account it is (name,
    address) under a URL that is itself the credential: no cache may keep them (Django's own password-reset
    page is never cached for the same reason)."""
    from accounts import services
    from accounts.models import Role

    invitation = services.invitation_create(
        by=csm, organization=engagement.client, email="new@acme.example", full_name="New", role=Role.CLIENT_MEMBER
    )
    change = services.email_change_request(user=csm, new_email="anna.new@northwind.example")
    for url in (
        reverse("accounts:invitation_accept", args=[services.invitation_token(invitation)]),
        reverse("accounts:email_change_confirm", args=[services.email_change_token(change)]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        assert {"private", "no-store"} <= directives, f"{url}: {response.get('Cache-Control')}"


def test_anonymous_pages_keep_their_own_caching(client):
    response = client.get(reverse("accounts:password_reset_done"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_static_files_are_not_marked_private(csm, settings):
    # WhiteNoise answers static files before any session or user is looked at.
    settings.WHITENOISE_USE_FINDERS = True
    browser = Client()
    browser.force_login(csm)
    response = browser.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Content-Security-Policy" not in response


def _page_templates():
    for path in TEMPLATES.rglob("*.html"):
        if "email" in path.parts or path.parts[-2:] == ("djcelery", "change_periodictask_form.html"):
            continue  # mail is not a page; the admin override carries the nonce
        yield path


@pytest.mark.parametrize(
    ("what", "pattern"),
    [
        ("an inline <script>", r"<script(?![^>]*\bsrc=)[^>]*>"),
        ("a style attribute", r"\sstyle=\""),
        ("a <style> element", r"<style[\s>]"),
        ("an inline event handler", r"\son[a-z]+=\""),
        ("a javascript: URL", r"javascript:"),
    ],
)
def test_page_templates_need_nothing_the_policy_forbids(what, pattern):
    offenders = [
        str(path.relative_to(TEMPLATES)) for path in _page_templates() if re.search(pattern, path.read_text(), re.I)
    ]
    assert offenders == [], f"{what} in {offenders}: the Content-Security-Policy would block it"
