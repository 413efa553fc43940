"""Action items through the API: a client reads those shared with them and completes its own side's; the team
manages; another client's answer 404; If-Match, updated_since and query counts at two sizes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.tests.factories import EngagementFactory
from governance.models import ActionStatus, Outcome
from governance.tests.factories import AgendaItemFactory, MeetingFactory, MeetingSeriesFactory, OutcomeFactory

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def action_of(engagement, **traits):
    meeting = MeetingFactory(series=MeetingSeriesFactory(engagement=engagement))
    return OutcomeFactory(agenda_item=AgendaItemFactory(meeting=meeting), **traits)


def test_a_client_reads_the_shared_action_items_and_completes_its_own(
    api_as, csm, client_key_user, engagement, other_engagement
):
    theirs = action_of(engagement, client_action=True, shared=True)
    ours = action_of(engagement, action=True, shared=True)
    draft = action_of(engagement, client_action=True)  # not shared in minutes yet
    action_of(engagement)  # a decision: no action item
    foreign = action_of(other_engagement, client_action=True, shared=True)
    client = api_as(client_key_user, scopes=["meetings:write"])
    assert ids(client.get("/api/v1/action-items/")) == [theirs.pk, ours.pk]
    for hidden in (draft, foreign):
        assert client.get(f"/api/v1/action-items/{hidden.pk}/").status_code == 404
        assert client.patch(f"/api/v1/action-items/{hidden.pk}/", {"status": "done"}, format="json").status_code == 404
    # The vendor's item is the team's to change: the client learns nothing more than for an outsider.
    assert client.patch(f"/api/v1/action-items/{ours.pk}/", {"status": "done"}, format="json").status_code == 404
    done = client.patch(f"/api/v1/action-items/{theirs.pk}/", {"status": "done"}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "done" and done.json()["completed_by"]["id"] == client_key_user.pk
    dropped = client.patch(f"/api/v1/action-items/{theirs.pk}/", {"status": "dropped"}, format="json")
    assert dropped.status_code == 400  # only the team drops one (the service's rule, in words)
    assert Outcome.objects.get(pk=theirs.pk).status == ActionStatus.DONE
    staff = api_as(csm, scopes=["meetings:write"])
    assert ids(staff.get("/api/v1/action-items/")) == [theirs.pk, ours.pk, draft.pk]
    assert staff.get(f"/api/v1/action-items/{foreign.pk}/").status_code == 404


def test_a_status_change_needs_the_etag_it_read_and_a_known_status(api_as, csm, engagement):
    item = action_of(engagement, action=True)
    client = api_as(csm, scopes=["meetings:write"])
    etag = client.get(f"/api/v1/action-items/{item.pk}/")["ETag"]
    assert client.patch(f"/api/v1/action-items/{item.pk}/", {"status": "later"}, format="json").status_code == 400
    assert (
        client.patch(
            f"/api/v1/action-items/{item.pk}/", {"status": "done"}, format="json", HTTP_IF_MATCH=etag
        ).status_code
        == 200
    )
    stale = client.patch(f"/api/v1/action-items/{item.pk}/", {"status": "open"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert Outcome.objects.get(pk=item.pk).status == ActionStatus.DONE
    assert (
        api_as(csm, scopes=["meetings:read"])
        .patch(f"/api/v1/action-items/{item.pk}/", {"status": "open"}, format="json")
        .status_code
        == 403
    )


def test_filters_by_meeting_and_updated_since(api_as, csm, engagement):
    now = timezone.now()
    old = action_of(engagement, action=True, created_at=now - timedelta(days=5))
    new = action_of(EngagementFactory(csm=csm), action=True)
    client = api_as(csm, scopes=["meetings:read"])
    assert ids(client.get("/api/v1/action-items/", {"meeting": old.meeting_id})) == [old.pk]
    assert ids(client.get("/api/v1/action-items/", {"updated_since": (now - timedelta(days=1)).isoformat()})) == [
        new.pk
    ]


def test_list_queries_do_not_grow_with_the_page(api_as, director):
    def count():
        client = api_as(director)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/action-items/?page_size=100")
        return len(queries), len(response.json()["results"])

    for _ in range(2):
        action_of(EngagementFactory(csm=director), action=True)
    small, small_rows = count()
    for _ in range(6):
        action_of(EngagementFactory(csm=director), client_action=True, shared=True)
    large, large_rows = count()
    assert large_rows > small_rows and small == large
