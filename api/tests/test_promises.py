"""Promises through the API: a client reads only those made to them; another client's answer 404; the
conventions (updated_since, ETag) and query counts at two sizes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import PromiseStatus
from engagements.tests.factories import EngagementFactory, PromiseFactory

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_team_reads_every_promise_a_client_only_those_made_to_them(
    api_as, csm, client_key_user, engagement, other_engagement
):
    internal = PromiseFactory(engagement=engagement, owner=csm)
    shown = PromiseFactory(engagement=engagement, owner=csm, shown_to_client=True)
    foreign = PromiseFactory(engagement=other_engagement, shown_to_client=True)
    staff = api_as(csm, scopes=["promises:read"])
    assert ids(staff.get("/api/v1/promises/")) == [internal.pk, shown.pk]
    assert staff.get(f"/api/v1/promises/{internal.pk}/").json()["shown_to_client"] is False
    client = api_as(client_key_user, scopes=["promises:read"])
    assert ids(client.get("/api/v1/promises/")) == [shown.pk]
    body = client.get(f"/api/v1/promises/{shown.pk}/").json()
    assert body["owner"] == {"id": csm.pk, "name": csm.full_name} and "shown_to_client" not in body
    assert client.get(f"/api/v1/promises/{internal.pk}/").status_code == 404
    assert client.get(f"/api/v1/promises/{foreign.pk}/").status_code == 404
    assert staff.get(f"/api/v1/promises/{foreign.pk}/").status_code == 404


def test_a_token_without_the_promises_scope_is_refused(api_as, csm, engagement):
    assert api_as(csm, scopes=["engagements:read"]).get("/api/v1/promises/").status_code == 403


def test_filters_by_engagement_and_updated_since(api_as, csm, engagement):
    other = EngagementFactory(csm=csm)
    now = timezone.now()
    old = PromiseFactory(engagement=engagement, owner=csm, created_at=now - timedelta(days=5))
    kept = PromiseFactory(
        engagement=engagement,
        owner=csm,
        created_at=now - timedelta(days=5),
        status=PromiseStatus.KEPT,
        closed_at=now - timedelta(hours=1),
    )
    new = PromiseFactory(engagement=other, owner=csm, created_at=now - timedelta(hours=1))
    client = api_as(csm, scopes=["promises:read"])
    assert ids(client.get("/api/v1/promises/", {"engagement": engagement.pk})) == [old.pk, kept.pk]
    since = (now - timedelta(days=1)).isoformat()
    assert ids(client.get("/api/v1/promises/", {"updated_since": since})) == [kept.pk, new.pk]
    assert client.get("/api/v1/promises/", {"engagement": "x"}).status_code == 400


def test_a_promise_has_an_etag(api_as, csm, engagement):
    promise = PromiseFactory(engagement=engagement, owner=csm)
    client = api_as(csm, scopes=["promises:read"])
    first = client.get(f"/api/v1/promises/{promise.pk}/")
    assert first["ETag"]
    assert client.get(f"/api/v1/promises/{promise.pk}/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def _queries(api_as, user):
    client = api_as(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/promises/?page_size=100")
    assert response.status_code == 200, response.content
    return len(queries), len(response.json()["results"])


def test_list_queries_do_not_grow_with_the_page(api_as, director):
    def fill(size):
        for _ in range(size):
            PromiseFactory(engagement=EngagementFactory(csm=director))

    fill(2)
    small, small_rows = _queries(api_as, director)
    fill(6)
    large, large_rows = _queries(api_as, director)
    assert large_rows > small_rows and small == large
