"""Red flags through the API: the same services and rules as the pages."""

import pytest

from escalations.models import FlagEvent, RedFlag

pytestmark = pytest.mark.django_db

RAISE = {
    "title": "Orders lost",
    "description": "None reached the warehouse.",
    "category": "quality",
    "severity": "high",
}


def test_a_client_raises_and_the_team_works_the_flag(api_as, client_key_user, pm, engagement):
    raised = api_as(client_key_user).post(
        "/api/v1/red-flags/", {**RAISE, "engagement": engagement.pk}, format="json", HTTP_IDEMPOTENCY_KEY="r1"
    )
    assert raised.status_code == 201, raised.content
    flag_id = raised.json()["id"]
    assert raised["Location"] == f"/api/v1/red-flags/{flag_id}/" and "owner" not in raised.json()
    team = api_as(pm)
    assert team.post(f"/api/v1/red-flags/{flag_id}/acknowledge/").status_code == 200
    update = team.post(f"/api/v1/red-flags/{flag_id}/updates/", {"body": "Looking into it."}, format="json")
    assert update.status_code == 200
    team.post(f"/api/v1/red-flags/{flag_id}/updates/", {"body": "Our own note", "internal": True}, format="json")
    assert (
        team.post(f"/api/v1/red-flags/{flag_id}/pause/", {"reason": "The order ids?"}, format="json").json()["status"]
        == "waiting"
    )
    assert team.post(f"/api/v1/red-flags/{flag_id}/resume/").status_code == 200
    resolved = team.post(f"/api/v1/red-flags/{flag_id}/resolve/", {"resolution": "Replayed."}, format="json")
    assert resolved.json()["status"] == RedFlag.objects.get().status and resolved.json()["resolved_at"]
    client_timeline = api_as(client_key_user).get(f"/api/v1/red-flags/{flag_id}/timeline/").json()["results"]
    team_timeline = team.get(f"/api/v1/red-flags/{flag_id}/timeline/").json()["results"]
    assert "Our own note" in [event["body"] for event in team_timeline]
    assert "Our own note" not in [event["body"] for event in client_timeline]
    assert len(team_timeline) == FlagEvent.objects.count()


def test_a_retried_raise_raises_once(api_as, client_key_user, engagement):
    client = api_as(client_key_user)
    for _ in range(2):
        client.post(
            "/api/v1/red-flags/", {**RAISE, "engagement": engagement.pk}, format="json", HTTP_IDEMPOTENCY_KEY="r"
        )
    assert RedFlag.objects.count() == 1


def test_a_client_may_not_handle_nor_raise_for_another_client(api_as, client_key_user, other_client_user, engagement):
    raised = api_as(client_key_user).post("/api/v1/red-flags/", {**RAISE, "engagement": engagement.pk}, format="json")
    flag_id = raised.json()["id"]
    assert api_as(client_key_user).post(f"/api/v1/red-flags/{flag_id}/acknowledge/").status_code == 404
    other = api_as(other_client_user)
    assert other.get(f"/api/v1/red-flags/{flag_id}/").status_code == 404
    refused = other.post("/api/v1/red-flags/", {**RAISE, "engagement": engagement.pk}, format="json")
    assert refused.status_code == 404 and RedFlag.objects.count() == 1


def test_invalid_fields_are_named(api_as, pm, engagement):
    response = api_as(pm).post("/api/v1/red-flags/", {"engagement": engagement.pk, "severity": "meh"}, format="json")
    assert response.status_code == 400
    assert {"title", "description", "category", "severity"} <= set(response.json()["errors"])


def test_flag_list_queries_do_not_grow(api_as, pm, client_key_user, engagement):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as(client_key_user)

    def count():
        with CaptureQueriesContext(connection) as queries:
            rows = api_as(pm).get("/api/v1/red-flags/").json()["results"]
        return len(queries), len(rows)

    client.post("/api/v1/red-flags/", {**RAISE, "engagement": engagement.pk}, format="json")
    small = count()
    for _ in range(4):
        client.post("/api/v1/red-flags/", {**RAISE, "engagement": engagement.pk}, format="json")
    large = count()
    assert small[0] == large[0] and (small[1], large[1]) == (1, 5)


def test_timeline_queries_do_not_grow(api_as, pm, client_key_user, engagement):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    flag_id = (
        api_as(client_key_user)
        .post("/api/v1/red-flags/", {**RAISE, "engagement": engagement.pk}, format="json")
        .json()["id"]
    )
    team = api_as(pm)

    def count():
        with CaptureQueriesContext(connection) as queries:
            rows = api_as(pm).get(f"/api/v1/red-flags/{flag_id}/timeline/").json()["results"]
        return len(queries), len(rows)

    small = count()
    for n in range(4):
        team.post(f"/api/v1/red-flags/{flag_id}/updates/", {"body": f"Update {n}"}, format="json")
    large = count()
    assert small[0] == large[0] and large[1] > small[1]
