"""``X-Forwarded-Proto`` ("the client came over HTTPS") is believed from our own proxies (``TRUSTED_PROXIES``) only,
like ``X-Forwarded-For``: from anyone else it is dropped, so a client on plain HTTP cannot pass for HTTPS."""

import pytest
from django.test import RequestFactory

from accounts.middleware import ForwardedProtoMiddleware

PROXY = "10.0.0.5"
OUTSIDER = "203.0.113.7"


def _seen_as_secure(remote_addr, **headers) -> bool:
    seen = {}

    def view(request):
        seen["secure"] = request.is_secure()

    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)
    ForwardedProtoMiddleware(view)(request)
    return seen["secure"]


@pytest.fixture
def behind_a_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]


def test_the_header_from_our_proxy_is_believed(behind_a_proxy):
    assert _seen_as_secure(PROXY, HTTP_X_FORWARDED_PROTO="https")
    assert not _seen_as_secure(PROXY, HTTP_X_FORWARDED_PROTO="http")


def test_the_header_from_anyone_else_is_dropped(behind_a_proxy):
    assert not _seen_as_secure(OUTSIDER, HTTP_X_FORWARDED_PROTO="https")


def test_without_trusted_proxies_nobody_is_believed(settings):
    settings.TRUSTED_PROXIES = []
    assert not _seen_as_secure(PROXY, HTTP_X_FORWARDED_PROTO="https")
    assert not _seen_as_secure("127.0.0.1", HTTP_X_FORWARDED_PROTO="https")


@pytest.mark.django_db
def test_the_https_redirect_cannot_be_talked_out_of(client, settings, behind_a_proxy):
    settings.SECURE_SSL_REDIRECT = True
    forged = client.get("/healthz/", REMOTE_ADDR=OUTSIDER, HTTP_X_FORWARDED_PROTO="https")
    assert forged.status_code == 301 and forged["Location"].startswith("https://")
    proxied = client.get("/healthz/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code != 301
