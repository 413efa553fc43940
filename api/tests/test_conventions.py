"""Pagination, ``updated_since``, ETag/If-Match, Idempotency-Key and problem details."""

from datetime import timedelta

import pytest
from django.utils import timezone

from checklists.models import ChecklistItem, ItemComment
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements.models import Engagement
from engagements.tests.factories import EngagementFactory

pytestmark = pytest.mark.django_db


def test_cursor_pages_are_opaque_and_capped(api_as, director, client_org):
    EngagementFactory.create_batch(5, client=client_org)
    client = api_as(director)
    first = client.get("/api/v1/engagements/?page_size=2").json()
    assert len(first["results"]) == 2 and "cursor=" in first["next"]
    seen = [row["id"] for row in first["results"]]
    url = first["next"]
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted(Engagement.objects.values_list("pk", flat=True))
    assert len(client.get("/api/v1/engagements/?page_size=1000").json()["results"]) == 5
    assert client.get("/api/v1/engagements/?cursor=nonsense").status_code == 404


def test_updated_since_filters_and_refuses_a_time_without_offset(api_as, csm, engagement):
    old = timezone.now() - timedelta(days=3)
    Engagement.objects.filter(pk=engagement.pk).update(updated_at=old)
    client = api_as(csm)
    since = (old + timedelta(days=1)).isoformat()
    assert client.get("/api/v1/engagements/", {"updated_since": since}).json()["results"] == []
    before = (old - timedelta(days=1)).isoformat()
    assert len(client.get("/api/v1/engagements/", {"updated_since": before}).json()["results"]) == 1
    refused = client.get("/api/v1/engagements/", {"updated_since": "2026-01-01T09:00:00"})
    assert refused.status_code == 400 and refused["Content-Type"] == "application/problem+json"
    body = refused.json()
    assert body["type"].endswith("/invalid") and body["status"] == 400 and body["title"] == "Bad Request"
    assert "ISO 8601" in body["errors"]["updated_since"][0]


def test_items_updated_since_follows_their_history(api_as, csm, engagement):
    stage = ChecklistStageFactory(engagement=engagement)
    old = timezone.now() - timedelta(days=5)
    quiet, changed = ChecklistItemFactory.create_batch(2, stage=stage, created_at=old)
    client = api_as(csm)
    client.patch(f"/api/v1/items/{changed.pk}/", {"status": "in_progress"}, format="json")
    rows = client.get("/api/v1/items/", {"updated_since": (old + timedelta(days=1)).isoformat()}).json()["results"]
    assert [row["id"] for row in rows] == [changed.pk]
    assert quiet.pk not in [row["id"] for row in rows]


def test_times_are_utc(api_as, csm, engagement):
    csm.time_zone = "Europe/Warsaw"
    csm.save()
    body = api_as(csm).get(f"/api/v1/engagements/{engagement.pk}/").json()
    assert body["created_at"].endswith("Z")


def test_etag_and_if_match(api_as, pm, engagement, team_member):
    item = ChecklistItemFactory(stage__engagement=engagement)
    client = api_as(pm)
    read = client.get(f"/api/v1/items/{item.pk}/")
    etag = read["ETag"]
    assert client.get(f"/api/v1/items/{item.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    changed = client.patch(f"/api/v1/items/{item.pk}/", {"assignee": team_member.pk}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["assignee"]["id"] == team_member.pk
    assert changed["ETag"] != etag
    lost = client.patch(f"/api/v1/items/{item.pk}/", {"status": "blocked"}, format="json", HTTP_IF_MATCH=etag)
    assert lost.status_code == 412 and lost.json()["status"] == 412
    assert ChecklistItem.objects.get(pk=item.pk).status == "open"


def test_idempotency_key_replays_the_first_answer(api_as, csm, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement)
    client = api_as(csm)
    url = f"/api/v1/items/{item.pk}/comments/"
    first = client.post(url, {"body": "Done on our side."}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url, {"body": "Done on our side."}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert ItemComment.objects.count() == 1
    other = client.post(url, {"body": "Something else."}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422 and other["Content-Type"] == "application/problem+json"
    # Keys are per token: another token's same key is another request.
    assert api_as(csm).post(url, {"body": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    assert ItemComment.objects.count() == 2


def test_a_refused_post_keeps_no_answer_for_its_key(api_as, csm, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement)
    client = api_as(csm)
    url = f"/api/v1/items/{item.pk}/comments/"
    refused = client.post(url, {"body": "  "}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert refused.status_code == 400 and refused.json()["errors"]["body"] == ["Write a comment first."]
    assert client.post(url, {"body": "Now"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201


def test_errors_are_problem_details(api_as, csm, other_engagement):
    response = api_as(csm).get(f"/api/v1/engagements/{other_engagement.pk}/")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert set(response.json()) == {"type", "title", "status", "detail"}
    bad = api_as(csm).post("/api/v1/items/1/comments/", "not json", content_type="application/json")
    assert bad["Content-Type"] == "application/problem+json" and bad.status_code in (400, 404)
