"""On SQLite (a first run without DATABASE_URL) the trail is off: no context is sent with any statement (pghistory's
is a PostgreSQL session variable), the readers answer "off", and the pages say so."""

from types import SimpleNamespace

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from pghistory import runtime

from audit import context, selectors, switch


@pytest.fixture
def on_sqlite(monkeypatch):
    monkeypatch.setattr(switch, "connection", SimpleNamespace(vendor="sqlite"))


def test_the_trail_is_off_on_sqlite(on_sqlite):
    assert switch.trail_on() is False


def test_the_trail_is_on_on_postgresql_unless_switched_off(monkeypatch, settings):
    monkeypatch.setattr(switch, "connection", SimpleNamespace(vendor="postgresql"))
    assert switch.trail_on() is True
    settings.AUDIT_TRAIL = False
    assert switch.trail_on() is False


def test_the_middleware_sends_no_context_while_the_trail_is_off(on_sqlite):
    seen = []

    def view(request):
        seen.append(hasattr(runtime._tracker, "value"))
        return HttpResponse("ok")

    response = context.AuditContextMiddleware(view)(RequestFactory().post("/anything/"))
    assert response.status_code == 200 and seen == [False]


@pytest.mark.django_db
def test_the_reader_answers_off_without_a_query(on_sqlite, django_assert_num_queries):
    with django_assert_num_queries(0):
        trail = selectors.engagement_trail(engagement=SimpleNamespace(pk=1))
    assert trail.on is False and trail.entries == []
    assert list(selectors.all_engagement_rows(engagement=SimpleNamespace(pk=1))) == []


def test_the_task_hook_enters_no_context_while_the_trail_is_off(on_sqlite):
    from audit import task_context

    task_context._enter(sender=SimpleNamespace(name="x"), task_id="1")
    assert not hasattr(runtime._tracker, "value")
    task_context._leave(sender=None, task_id="1")
