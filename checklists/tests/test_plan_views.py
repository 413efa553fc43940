"""The plan on the pages: the item page's picker and links, the engagement page's forecast and critical path, the
portal's "this holds the go-live", and access (another client's item answers 404)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checklists import services
from checklists.models import ItemDependency
from engagements.models import Side

from .factories import ChecklistItemFactory, ChecklistStageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def late_chain(engagement, csm, client_key_user):
    """A client task due three working days ago, still open; the environment and QA wait for it. Dates count
    back from today in working days, so the figures hold whatever day the suite runs."""
    now = timezone.now()
    calendar = services.plan_of(engagement, today=timezone.localdate(now))[2]
    today = calendar.on_or_after(timezone.localdate(now))
    due = calendar.add(today, -3)
    stage = ChecklistStageFactory(engagement=engagement, title="Environment access")
    contact = ChecklistItemFactory(
        stage=stage, title="Name the network contact", due_on=due, owner_side=Side.CLIENT, assignee=client_key_user
    )
    environment = ChecklistItemFactory(stage=stage, title="Set up the test environment", due_on=due, assignee=csm)
    engagement.target_go_live_on = calendar.add(due, 1)
    engagement.save()
    services.dependency_add(by=csm, item=environment, predecessor_id=contact.pk, now=now)
    return contact, environment


def test_the_item_page_offers_the_engagements_other_items_by_title(client, csm, engagement):
    stage = ChecklistStageFactory(engagement=engagement, title="Scope")
    item = ChecklistItemFactory(stage=stage, title="Set up the test environment")
    ChecklistItemFactory(stage=stage, title="Name the network contact")
    client.force_login(csm)
    page = client.get(reverse("checklists:item", args=[item.pk])).content.decode()
    assert 'id="predecessor"' in page and "Name the network contact</option>" in page
    assert '<optgroup label="Scope">' in page
    assert "Set up the test environment</option>" not in page  # not itself


def test_a_csm_links_two_items_from_the_page(client, csm, engagement):
    stage = ChecklistStageFactory(engagement=engagement)
    first, second = ChecklistItemFactory(stage=stage), ChecklistItemFactory(stage=stage)
    client.force_login(csm)
    response = client.post(
        reverse("checklists:dependency_add", args=[second.pk]),
        {"predecessor": first.pk, "kind": "fs", "lag_days": "2"},
        follow=True,
    )
    assert ItemDependency.objects.filter(predecessor=first, successor=second, lag_days=2).exists()
    assert "Linked" in response.content.decode()
    # A circle back is refused in words, and nothing is written.
    response = client.post(
        reverse("checklists:dependency_add", args=[first.pk]), {"predecessor": second.pk, "kind": "fs", "lag_days": "0"}
    )
    assert ItemDependency.objects.count() == 1
    dependency = ItemDependency.objects.get()
    client.post(reverse("checklists:dependency_delete", args=[dependency.pk]), {"confirm": "yes"})
    assert not ItemDependency.objects.exists()


def test_another_clients_item_is_not_found(client, csm, other_engagement, engagement):
    foreign = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=other_engagement))
    own = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement))
    client.force_login(csm)
    url = reverse("checklists:dependency_add", args=[foreign.pk])
    assert client.post(url, {"predecessor": own.pk, "kind": "fs", "lag_days": "0"}).status_code == 404
    # Naming another engagement's item as the predecessor of one's own changes nothing.
    client.post(
        reverse("checklists:dependency_add", args=[own.pk]), {"predecessor": foreign.pk, "kind": "fs", "lag_days": "0"}
    )
    assert not ItemDependency.objects.exists()


def test_the_engagement_page_shows_the_forecast_and_what_holds_it(client, csm, engagement, late_chain):
    client.force_login(csm)
    page = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    assert 'data-testid="forecast"' in page
    assert "working days behind" in page
    assert "Name the network contact" in page and "the client&#x27;s" in page


def test_the_portal_says_the_client_task_holds_the_go_live(client, client_key_user, late_chain):
    contact, _environment = late_chain
    client.force_login(client_key_user)
    page = client.get(reverse("portal:item", args=[contact.pk])).content.decode()
    assert "This holds the go-live by 3 days." in page


def test_another_clients_person_gets_404_on_the_task(client, other_client_user, late_chain):
    client.force_login(other_client_user)
    assert client.get(reverse("portal:item", args=[late_chain[0].pk])).status_code == 404


def _item_page_queries(client, engagement, n):
    stage = ChecklistStageFactory(engagement=engagement)
    items = [ChecklistItemFactory(stage=stage, due_on=timezone.localdate() + timedelta(days=5)) for _ in range(n)]
    ItemDependency.objects.bulk_create(
        ItemDependency(engagement=engagement, predecessor=before, successor=items[-1]) for before in items[:-1]
    )
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("checklists:item", args=[items[-1].pk])).status_code == 200
    return len(queries.captured_queries)


def test_the_item_pages_queries_do_not_grow_with_the_plan(client, csm, engagement, other_engagement):
    other_engagement.csm = csm
    other_engagement.save()
    client.force_login(csm)
    assert _item_page_queries(client, engagement, 3) == _item_page_queries(client, other_engagement, 30)
