"""The one access policy (``engagements.policy``) and the two holes it closes (issue 7, holes 3 and 4)."""

import pytest
from django.urls import reverse

from checklists.models import ItemComment
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory, ItemCommentFactory

pytestmark = pytest.mark.django_db


def test_a_scoped_queryset_hides_internal_comments_from_the_client(client_key_user, csm, engagement):
    item = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), client_side=True)
    ItemCommentFactory(item=item, body="Visible")
    ItemCommentFactory(item=item, internal=True)
    assert set(ItemComment.objects.visible_to(client_key_user).values_list("body", flat=True)) == {"Visible"}
    assert ItemComment.objects.visible_to(csm).count() == 2
    assert ItemComment.objects.client_visible().count() == 1


def test_the_portal_never_counts_internal_comments(client, client_key_user, engagement):
    item = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), client_side=True)
    ItemCommentFactory(item=item, internal=True)
    client.force_login(client_key_user)
    body = client.get(reverse("portal:item", args=[item.pk])).content.decode()
    assert "Internal: client is slow to answer." not in body
