"""Every URL x every role x own/other client's object x each method: the expected outcome.

See ``tests/url_access.py`` for the rules. This file only runs them.
"""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from . import url_access
from .url_access import GUARDS, RULES, Rule

ALL_METHODS = ("GET", "POST")
# API URLs are also tried with PATCH (their updates).
API_METHODS = ("GET", "POST", "PATCH")
OK_STATUSES = {200, 201, 204, 301, 302, 303, 410}
LOGIN_PATH = "/accounts/login/"


def _writes(queries):
    """SQL writes made by a request, other than session bookkeeping (idle timeout)."""
    writes = []
    for query in queries:
        sql = query["sql"].lstrip().upper()
        # A token's "last used" is bookkeeping too (``api.tokens.token_touch``).
        if sql.startswith(("INSERT", "UPDATE", "DELETE")) and not any(
            table in sql for table in ("DJANGO_SESSION", '"API_APITOKEN" SET "LAST_USED_AT"')
        ):
            writes.append(query["sql"])
    return writes


def _url(name, rule: Rule, world, other: bool):
    kwargs = dict(rule.fixed_kwargs)
    obj = world[("other_" if other else "") + rule.obj] if rule.obj else None
    if rule.kwargs is not None:
        kwargs.update(rule.kwargs(world, obj))
    elif obj is not None:
        kwargs["pk"] = obj.pk
    return reverse(name, kwargs=kwargs or None)


def _request(client, method, url):
    return client.get(url) if method == "GET" else client.post(url, {})


def _api_request(client, method, url):
    # Rolled back after the call: an allowed write (an item ticked) must not change what the next persona meets.
    with transaction.atomic():
        response = client.generic(method, url, "{}", content_type="application/json")
        transaction.set_rollback(True)
    return response


def _api_client(user, tokens):
    """A client sending ``user``'s token with every scope (one token per persona and test)."""
    from api.tests.factories import token_for

    client = Client()
    if user is not None:
        if user.pk not in tokens:
            tokens[user.pk] = token_for(user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {tokens[user.pk]}"
    return client


def _check(name, rule, role, method, url, response, writes):
    where = f"{method} {url} as {role} ({name})"
    status = response.status_code
    assert status not in (403, 500), f"{where}: {status}; outsiders get 404, never 403"
    if method == "GET":
        assert not writes, f"{where}: GET changed state: {writes[:2]}"
    if role == "anonymous" and rule.token:
        assert status == 401, f"{where}: {status}, not 401 without a token"
        return
    if role == "anonymous" and not rule.public:
        assert status == 302 and response["Location"].startswith(LOGIN_PATH), f"{where}: {status}, not login"
        return
    if method not in rule.methods:
        assert status in (404, 405), f"{where}: method not accepted, yet {status}"
        return
    if rule.token and status == 400:
        # Let in, then refused for the empty body (a comment needs its text): the access rule said yes.
        return 200
        return
    return status


@pytest.mark.parametrize("name", sorted(RULES))
@pytest.mark.django_db
def test_url_answers_each_role_as_classified(name, world):
    rule = RULES[name]
    targets = [False, True] if rule.obj else [False]
    tokens = {}
    for role, user in world["personas"].items():
        for other in targets:
            for method in API_METHODS if rule.token else ALL_METHODS:
                allowed = rule.allowed_for(method, other=other)
                if rule.token:
                    client = _api_client(user, tokens)
                else:
                    client = Client()
                    if user is not None:
                        client.force_login(user)
                url = _url(name, rule, world, other)
                with CaptureQueriesContext(connection) as queries:
                    response = (_api_request if rule.token else _request)(client, method, url)
                status = _check(name, rule, role, method, url, response, _writes(queries.captured_queries))
                if status is None:
                    continue
                where = f"{method} {url} as {role} ({name}, {'other' if other else 'own'} client's object)"
                if role in allowed:
                    assert status in OK_STATUSES, f"{where}: allowed, yet {status}"
                    location = response.get("Location", "")
                    assert not location.startswith(LOGIN_PATH) or rule.public or rule.logs_out, (
                        f"{where}: sent to login"
                    )
                else:
                    assert status == 404, f"{where}: not allowed, yet {status} (must be 404)"


@pytest.mark.parametrize("name", sorted(GUARDS))
@pytest.mark.django_db
def test_a_guarded_url_answers_as_its_named_rule(name, world):
    """The view's answer is the named rule's (``url_access.GUARDS``), for every persona its workspace lets in, on
    their own client's object and another's; and ``RULES`` classifies the URL as the rule decides."""
    rule, guard = RULES[name], GUARDS[name]
    tokens = {}
    for role in sorted(guard.door):
        user = world["personas"][role]
        for other in (False, True):
            obj = world[("other_" if other else "") + rule.obj]
            allowed = guard.check(user, guard.subject(obj))
            where = f"{name} as {role} ({'other' if other else 'own'} client's object)"
            assert allowed == (role in rule.allowed_for("POST", other=other)), f"{where}: RULES and the rule differ"
            url = _url(name, rule, world, other)
            if rule.token:
                status = _api_request(_api_client(user, tokens), "POST", url).status_code
                if status == 400:  # Let in, then refused for the empty body: the rule said yes.
                    status = 200
            else:
                client = Client()
                client.force_login(user)
                status = _request(client, "POST", url).status_code
            if allowed:
                assert status in OK_STATUSES, f"{where}: the rule allows, yet {status}"
            else:
                assert status == 404, f"{where}: the rule refuses, yet {status}"


def test_guards_name_classified_urls_that_take_an_object():
    assert all(name in RULES and RULES[name].obj for name in GUARDS)


def test_every_url_is_classified():
    assert url_access.unclassified_urls() == [], "classify these URLs in tests/url_access.py"


def _view(request):  # pragma: no cover - never called
    raise AssertionError


def test_an_unclassified_url_fails_the_check(settings):
    """A URL added without a rule is reported, so the matrix cannot go stale."""
    from django.urls import get_resolver

    urlpatterns = [
        path("", include("onboarding_portal.urls")),
        path("sneaky/<int:pk>/", _view, name="sneaky"),
        path("nameless/", _view),
    ]
    module = type("urlconf", (), {"urlpatterns": urlpatterns})
    resolver = get_resolver(module)
    assert url_access.unclassified_urls(resolver) == ["sneaky", "nameless/"]


def test_rules_name_only_existing_urls():
    names = {full for full, _route, _p in url_access.iter_patterns() if full}
    assert set(RULES) - names == set()
