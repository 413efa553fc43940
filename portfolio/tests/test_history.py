"""The engagement's History page and CSV (issue 20): who changed what and when, from the triggers' trail; each
write of a request carries its user and client address; another client's engagement answers 404; a page costs
the same queries for a short and a long trail."""

import csv
import io

import pghistory
import pytest
from django.urls import reverse
from pghistory.models import Context

from accounts.tests.factories import UserFactory
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements.models import EngagementMember

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_a_request_s_write_carries_its_user_and_client_address(client, csm, vendor, engagement, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    newcomer = UserFactory(role="team_member", organization=vendor)
    client.force_login(csm)
    client.post(
        reverse("engagements:member_add", args=[engagement.pk]),
        {"user": newcomer.pk, "role": "QA"},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    member = EngagementMember.objects.get(engagement=engagement, user=newcomer)
    event = EngagementMember.pgh_event_model.objects.get(pgh_obj_id=member.pk, pgh_label="insert")
    metadata = Context.objects.get(pk=event.pgh_context_id).metadata
    assert metadata["user"] == csm.pk
    # The client's own address behind our proxy (accounts.client_address), never the proxy's.
    assert metadata["address"] == "203.0.113.9"
    assert metadata["url"] == reverse("engagements:member_add", args=[engagement.pk])

    page = client.get(reverse("portfolio:engagement_history", args=[engagement.pk])).content.decode()
    assert csm.full_name in page and "203.0.113.9" in page


def test_the_page_shows_field_changes_in_words(client, csm, engagement):
    stage = ChecklistStageFactory(engagement=engagement)
    item = ChecklistItemFactory(stage=stage, title="Configure the warehouse")
    type(item).objects.filter(pk=item.pk).update(title="Configure both warehouses")  # a queryset update too
    client.force_login(csm)
    page = client.get(reverse("portfolio:engagement_history", args=[engagement.pk])).content.decode()
    assert "Configure the warehouse → Configure both warehouses" in page


def test_the_csv_lists_each_changed_field(client, csm, engagement):
    stage = ChecklistStageFactory(engagement=engagement, title="Design")
    type(stage).objects.filter(pk=stage.pk).update(title="Design and build")
    client.force_login(csm)
    response = client.get(reverse("portfolio:engagement_history_csv", args=[engagement.pk]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["When (UTC)", "Record", "Id"]
    changed = [row for row in rows[1:] if row[5] == "Title"]
    assert changed and changed[-1][6:8] == ["Design", "Design and build"]


def test_another_client_s_engagement_history_answers_404(client, csm, other_engagement):
    client.force_login(csm)
    for name in ("portfolio:engagement_history", "portfolio:engagement_history_csv"):
        assert client.get(reverse(name, args=[other_engagement.pk])).status_code == 404


def test_client_users_never_reach_the_staff_history(client, client_key_user, engagement):
    client.force_login(client_key_user)
    response = client.get(reverse("portfolio:engagement_history", args=[engagement.pk]))
    assert response.status_code in (302, 403, 404)


def _changes(engagement, count, by):
    """``count`` items created and renamed by ``by`` (a context and a person on every entry, at either size)."""
    stage = ChecklistStageFactory(engagement=engagement)
    with pghistory.context(user=by.pk, address="192.0.2.1"):
        for n in range(count):
            item = ChecklistItemFactory(stage=stage, title=f"Item {n}", assignee=by)
            type(item).objects.filter(pk=item.pk).update(title=f"Item {n} (renamed)")


def test_a_page_of_history_costs_the_same_queries_for_a_short_and_a_long_trail(client, csm, engagement):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(csm)
    url = reverse("portfolio:engagement_history", args=[engagement.pk])
    _changes(engagement, 3, csm)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _changes(engagement, 40, csm)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert "Page 1 of" in page
    assert len(many.captured_queries) == len(few.captured_queries), (
        len(few.captured_queries),
        len(many.captured_queries),
    )


def test_the_page_says_when_the_trail_is_off(client, csm, engagement, settings):
    settings.AUDIT_TRAIL = False  # as on SQLite: audit.switch.trail_on
    client.force_login(csm)
    page = client.get(reverse("portfolio:engagement_history", args=[engagement.pk])).content.decode()
    assert 'data-testid="history-off"' in page and "PostgreSQL" in page
    assert 'data-testid="history-csv"' not in page


def test_the_admin_lists_an_object_s_events(client, vendor_admin, engagement):
    vendor_admin.is_staff = vendor_admin.is_superuser = True
    vendor_admin.save()
    client.force_login(vendor_admin)
    change = client.get(reverse("admin:engagements_engagement_change", args=[engagement.pk])).content.decode()
    assert "method=tracks&amp;obj=engagements.Engagement:" in change or "obj=engagements.Engagement" in change
    events = client.get(
        reverse("admin:pghistory_events_changelist"),
        {"method": "tracks", "obj": f"engagements.Engagement:{engagement.pk}"},
    )
    assert events.status_code == 200
    assert "insert" in events.content.decode()
