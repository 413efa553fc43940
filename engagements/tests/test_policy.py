"""The one access policy (``engagements.policy``) and the two holes it closes (issue 7, holes 3 and 4)."""

import pytest
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Role
from checklists.models import ItemComment
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory, ItemCommentFactory
from engagements import policy, services
from engagements.models import Engagement

pytestmark = pytest.mark.django_db


@pytest.fixture
def personas(vendor_admin, executive, director, csm, other_csm, pm, deputy_pm, team_member, client_key_user):
    return [vendor_admin, executive, director, csm, other_csm, pm, deputy_pm, team_member, client_key_user]


def _invite(by, organization, email="someone@acme.example", role=Role.CLIENT_KEY_USER):
    return account_services.invitation_create(
        by=by, organization=organization, email=email, full_name="Someone", role=role
    )


# --- One rule, two forms: the Python predicate and the SQL filter agree ------------------------------------------


def test_may_manage_agrees_with_the_managed_by_filter_for_every_persona(personas, engagement, other_engagement):
    for person in personas:
        managed = set(Engagement.objects.managed_by(person).values_list("pk", flat=True))
        for each in (engagement, other_engagement):
            assert policy.may_manage(person, each) == (each.pk in managed), person


def test_an_inactive_account_may_do_nothing(csm, engagement):
    csm.is_active = False
    csm.save()
    assert not Engagement.objects.visible_to(csm).exists()
    assert not policy.may_manage(csm, engagement)
    assert not policy.clients_managed_by(csm).exists()


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


def test_a_vendor_person_sees_only_the_clients_they_work_for(csm, other_csm, team_member, engagement, other_engagement):
    from accounts.models import Organization

    assert set(Organization.objects.visible_to(team_member).clients()) == {engagement.client}
    assert set(Organization.objects.visible_to(other_csm).clients()) == {other_engagement.client}
    # A brand-new client of a CSM, with no engagement yet, is theirs to see.
    profile = services.client_create(by=other_csm, name="Umbrella Pharma")
    assert profile.organization in Organization.objects.visible_to(other_csm)
    assert profile.organization not in Organization.objects.visible_to(csm)
