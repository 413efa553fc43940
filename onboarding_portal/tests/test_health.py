import pytest
from django.db import OperationalError, connection
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_when_database_and_broker_answer(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}, "failed": []}


def test_healthz_names_the_broker_when_it_is_unreachable_without_its_address(client, settings, caplog):
    # A real connection attempt to a port where nothing listens.
    settings.CELERY_BROKER_URL = "redis://broker-7.internal.example:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "ok", "broker": "error"}, "failed": ["broker"]}
    body = response.content.decode()
    assert "broker-7" not in body and ":1" not in body
    # The details are in the server's log, for whoever runs it.
    assert "Health check failed: broker" in caplog.text


def test_healthz_names_the_database_when_it_fails_without_the_error_text(client, monkeypatch, caplog):
    def broken_cursor(*args, **kwargs):
        raise OperationalError('connection to server at "db-3.internal" (10.1.2.3), port 5432 failed')

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "error", "broker": "ok"},
        "failed": ["database"],
    }
    body = response.content.decode()
    assert "db-3" not in body and "10.1.2.3" not in body and "5432" not in body
    assert "db-3.internal" in caplog.text


def test_healthz_needs_no_login(client):
    assert client.get(reverse("healthz")).status_code in (200, 503)
