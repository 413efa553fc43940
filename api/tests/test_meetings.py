"""Meetings and shared minutes through the API: internal meetings are the team's, drafts never leave governance,
another client's meeting answers 404; updated_since, ETag and query counts at two sizes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.tests.factories import EngagementFactory
from governance.models import Meeting, MinutesVersion
from governance.tests.factories import MeetingFactory, MeetingSeriesFactory

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def meeting_of(engagement, **kwargs):
    return MeetingFactory(series=MeetingSeriesFactory(engagement=engagement), **kwargs)


def test_a_client_reads_its_meetings_but_not_the_internal_ones(
    api_as, csm, client_key_user, engagement, other_engagement
):
    shared = meeting_of(engagement)
    internal = meeting_of(engagement, is_internal=True)
    foreign = meeting_of(other_engagement)
    staff = api_as(csm, scopes=["meetings:read"])
    assert ids(staff.get("/api/v1/meetings/")) == [shared.pk, internal.pk]
    assert staff.get(f"/api/v1/meetings/{internal.pk}/").json()["is_internal"] is True
    client = api_as(client_key_user, scopes=["meetings:read"])
    assert ids(client.get("/api/v1/meetings/")) == [shared.pk]
    assert "is_internal" not in client.get(f"/api/v1/meetings/{shared.pk}/").json()
    for hidden in (internal, foreign):
        assert client.get(f"/api/v1/meetings/{hidden.pk}/").status_code == 404
        assert client.get(f"/api/v1/meetings/{hidden.pk}/minutes/").status_code == 404
    assert staff.get(f"/api/v1/meetings/{foreign.pk}/").status_code == 404


def test_the_minutes_are_the_shared_versions(api_as, client_key_user, engagement):
    meeting = meeting_of(engagement, status="held", minutes_version=2)
    now = timezone.now()
    first = MinutesVersion.objects.create(
        meeting=meeting,
        number=1,
        content={"sections": []},
        published_by=engagement.pm,
        published_at=now - timedelta(days=3),
    )
    second = MinutesVersion.objects.create(
        meeting=meeting, number=2, content={"sections": ["x"]}, change_note="Fixed a date", published_by=engagement.pm
    )
    client = api_as(client_key_user, scopes=["meetings:read"])
    assert ids(client.get(f"/api/v1/meetings/{meeting.pk}/minutes/")) == [first.pk, second.pk]
    since = (now - timedelta(days=1)).isoformat()
    assert ids(client.get(f"/api/v1/meetings/{meeting.pk}/minutes/", {"updated_since": since})) == [second.pk]
    body = client.get(f"/api/v1/meetings/{meeting.pk}/minutes/").json()["results"][-1]
    assert body["change_note"] == "Fixed a date" and body["published_by"]["id"] == engagement.pm_id


def test_meetings_filter_by_engagement_and_updated_since_and_carry_an_etag(api_as, csm, engagement):
    now = timezone.now()
    old = meeting_of(engagement)
    Meeting.objects.filter(pk=old.pk).update(updated_at=now - timedelta(days=5))
    new = meeting_of(EngagementFactory(csm=csm))
    client = api_as(csm, scopes=["meetings:read"])
    assert ids(client.get("/api/v1/meetings/", {"engagement": engagement.pk})) == [old.pk]
    assert ids(client.get("/api/v1/meetings/", {"updated_since": (now - timedelta(days=1)).isoformat()})) == [new.pk]
    first = client.get(f"/api/v1/meetings/{old.pk}/")
    assert client.get(f"/api/v1/meetings/{old.pk}/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert api_as(csm, scopes=["promises:read"]).get("/api/v1/meetings/").status_code == 403


def _queries(api_as, user, url):
    client = api_as(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries), len(response.json()["results"])


def test_list_queries_do_not_grow_with_the_page(api_as, director, engagement):
    meeting = meeting_of(engagement, status="held")

    def fill(size, start):
        for n in range(size):
            meeting_of(EngagementFactory(csm=director))
            MinutesVersion.objects.create(meeting=meeting, number=start + n, content={}, published_by=engagement.pm)

    fill(2, 1)
    small = [
        _queries(api_as, director, url) for url in ("/api/v1/meetings/", f"/api/v1/meetings/{meeting.pk}/minutes/")
    ]
    fill(6, 3)
    large = [
        _queries(api_as, director, url) for url in ("/api/v1/meetings/", f"/api/v1/meetings/{meeting.pk}/minutes/")
    ]
    for (small_count, small_rows), (large_count, large_rows) in zip(small, large, strict=True):
        assert large_rows > small_rows and small_count == large_count
