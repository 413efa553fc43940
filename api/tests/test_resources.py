"""The resources: what each role reads, what writes go through the services, and query counts at two sizes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from checklists.models import ChecklistItem
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory, ItemCommentFactory
from engagements.tests.factories import ClientProfileFactory, EngagementFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_me(api_as, client_key_user):
    body = api_as(client_key_user, scopes=["users:read"]).get("/api/v1/users/me/").json()
    assert body["id"] == client_key_user.pk and body["organization"]["id"] == client_key_user.organization_id


def test_a_client_user_sees_only_their_organization(api_as, client_key_user, engagement, other_engagement):
    ClientProfileFactory(organization=engagement.client, csm=engagement.csm)
    client = api_as(client_key_user)
    assert ids(client.get("/api/v1/clients/")) == [engagement.client_id]
    assert client.get(f"/api/v1/clients/{other_engagement.client_id}/").status_code == 404
    # The profile (commercial and internal records) is the team's only.
    assert client.get(f"/api/v1/clients/{engagement.client_id}/").json()["profile"] is None
    assert ids(client.get("/api/v1/engagements/")) == [engagement.pk]
    assert client.get(f"/api/v1/engagements/{other_engagement.pk}/").status_code == 404


def test_staff_read_the_profile_and_the_health_with_its_reasons(api_as, csm, engagement):
    ClientProfileFactory(organization=engagement.client, csm=csm, industry="Logistics")
    stage = ChecklistStageFactory(engagement=engagement)
    past = timezone.localdate() - timedelta(days=10)
    ChecklistItemFactory.create_batch(6, stage=stage, due_on=past)
    ChecklistItemFactory(stage=stage, status="done")
    client = api_as(csm)
    assert client.get(f"/api/v1/clients/{engagement.client_id}/").json()["profile"]["industry"] == "Logistics"
    body = client.get(f"/api/v1/engagements/{engagement.pk}/").json()
    assert body["progress"] == {"items_total": 7, "items_done": 1, "percent": 14}
    assert body["health"]["level"] != "on_track"
    reason = next(r for r in body["health"]["reasons"] if r["signal"] == "overdue_items")
    assert "6" in reason["text"]


def test_a_client_reads_no_health_nor_budget(api_as, client_key_user, budgeted):
    body = api_as(client_key_user).get(f"/api/v1/engagements/{budgeted.pk}/").json()
    assert "health" not in body and "planned_amount" not in body and "progress" in body


def test_stakeholders_a_client_reads_without_the_teams_view_of_them(api_as, client_key_user, csm, engagement):
    row = StakeholderFactory(engagement=engagement, cares_about="Budget")
    theirs = api_as(client_key_user).get(f"/api/v1/stakeholders/{row.pk}/").json()
    assert theirs["name"] == row.name and "cares_about" not in theirs and "influence" not in theirs
    assert api_as(csm).get(f"/api/v1/stakeholders/{row.pk}/").json()["cares_about"] == "Budget"


def test_items_assign_tick_untick_and_comment_through_the_services(api_as, pm, team_member, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement)
    client = api_as(pm)
    assert client.patch(f"/api/v1/items/{item.pk}/", {"assignee": team_member.pk}, format="json").status_code == 200
    stranger = UserFactory(csm=True)
    refused = client.patch(f"/api/v1/items/{item.pk}/", {"assignee": stranger.pk}, format="json")
    assert refused.status_code == 400 and "assignee" in refused.json()["errors"]
    done = client.post(f"/api/v1/items/{item.pk}/complete/", {}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["completed_by"]["id"] == pm.pk
    again = client.post(f"/api/v1/items/{item.pk}/complete/", {}, format="json")
    assert again.status_code == 400
    assert client.post(f"/api/v1/items/{item.pk}/reopen/").json()["status"] == "open"
    item.refresh_from_db()
    assert item.assignee == team_member and list(item.events.values_list("action", flat=True)) == [
        "updated",
        "completed",
        "reopened",
    ]
    comment = client.post(f"/api/v1/items/{item.pk}/comments/", {"body": "Note", "is_internal": True}, format="json")
    assert comment.status_code == 201 and comment.json()["is_internal"] is True


def test_the_client_never_reads_internal_comments_nor_ticks_the_teams_items(api_as, client_key_user, engagement):
    theirs = ChecklistItemFactory(stage__engagement=engagement, owner_side="client")
    ours = ChecklistItemFactory(stage__engagement=engagement)
    ItemCommentFactory(item=theirs, is_internal=True, body="internal")
    ItemCommentFactory(item=theirs, body="shared")
    client = api_as(client_key_user)
    assert [c["body"] for c in client.get(f"/api/v1/items/{theirs.pk}/comments/").json()["results"]] == ["shared"]
    assert client.post(f"/api/v1/items/{ours.pk}/complete/", {}, format="json").status_code == 404
    assert client.post(f"/api/v1/items/{theirs.pk}/complete/", {}, format="json").status_code == 200
    assert ChecklistItem.objects.get(pk=ours.pk).status == "open"


def test_an_executive_reads_but_writes_nothing(api_as, executive, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement)
    client = api_as(executive)
    assert client.get(f"/api/v1/items/{item.pk}/").status_code == 200
    assert client.patch(f"/api/v1/items/{item.pk}/", {"status": "blocked"}, format="json").status_code == 404
    assert client.post(f"/api/v1/items/{item.pk}/complete/", {}, format="json").status_code == 404


# --- Query counts do not grow with the page ---------------------------------------------------------------------


def _fill(size, *, csm):
    for _ in range(size):
        engagement = EngagementFactory(csm=csm)
        ClientProfileFactory(organization=engagement.client, csm=csm)
        stage = ChecklistStageFactory(engagement=engagement)
        item = ChecklistItemFactory(stage=stage, assignee=engagement.pm, owner_side="vendor")
        ItemCommentFactory(item=item, author=csm)
        StakeholderFactory(engagement=engagement)


LISTS = ["clients/", "engagements/", "stages/", "items/", "stakeholders/"]


def _queries(api_as, user, url):
    client = api_as(user)  # a fresh token: each count includes the token's lookup and its "last used" write
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize("path", LISTS)
def test_list_queries_do_not_grow_with_the_page(api_as, director, path):
    _fill(2, csm=director)
    small, small_rows = _queries(api_as, director, f"/api/v1/{path}?page_size=100")
    _fill(6, csm=director)
    large, large_rows = _queries(api_as, director, f"/api/v1/{path}?page_size=100")
    assert large_rows > small_rows
    assert small == large, f"{path}: {small} queries for {small_rows} rows, {large} for {large_rows}"


def test_comment_list_queries_do_not_grow(api_as, csm, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement)
    ItemCommentFactory.create_batch(2, item=item, author=csm)
    small, _ = _queries(api_as, csm, f"/api/v1/items/{item.pk}/comments/")
    ItemCommentFactory.create_batch(8, item=item, author=UserFactory(organization=csm.organization))
    large, rows = _queries(api_as, csm, f"/api/v1/items/{item.pk}/comments/")
    assert rows == 10 and small == large
