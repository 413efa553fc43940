"""The account executive named on an engagement reads it (issue 23): the engagement page with its handoff, its
meetings and items; another engagement answers 404, and working on or shaping it stays the team's."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements import policy
from engagements.models import Engagement

pytestmark = pytest.mark.django_db


@pytest.fixture
def account_executive(vendor, engagement):
    seller = UserFactory(organization=vendor, full_name="Sam Sales")
    Engagement.objects.filter(pk=engagement.pk).update(account_executive=seller)
    engagement.refresh_from_db()
    return seller


def test_the_account_executive_reads_the_engagement_and_its_items(
    client, engagement, other_engagement, account_executive
):
    item = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), assignee=account_executive)
    assert policy.may_see(account_executive, engagement)
    assert not policy.may_work(account_executive, engagement)
    assert not policy.may_manage(account_executive, engagement)
    client.force_login(account_executive)
    assert client.get(reverse("portfolio:engagement", args=[engagement.pk])).status_code == 200
    assert client.get(reverse("checklists:item", args=[item.pk])).status_code == 200
    assert client.get(reverse("portfolio:engagement", args=[other_engagement.pk])).status_code == 404
    # Reading is no place on the team: the handoff's editor answers 404 like any outsider's.
    assert client.get(reverse("engagements:handoff", args=[engagement.pk])).status_code == 404
    assert Engagement.objects.visible_to(account_executive).filter(pk=engagement.pk).exists()
