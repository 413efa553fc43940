"""The one access policy (``engagements.policy``) and the two holes it closes (issue 7, holes 3 and 4)."""

import pytest

from engagements import policy, services
from engagements.models import Engagement

pytestmark = pytest.mark.django_db


@pytest.fixture
def personas(vendor_admin, executive, director, csm, other_csm, pm, deputy_pm, team_member, client_key_user):
    return [vendor_admin, executive, director, csm, other_csm, pm, deputy_pm, team_member, client_key_user]


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


def test_a_vendor_person_sees_only_the_clients_they_work_for(csm, other_csm, team_member, engagement, other_engagement):
    from accounts.models import Organization

    assert set(Organization.objects.visible_to(team_member).clients()) == {engagement.client}
    assert set(Organization.objects.visible_to(other_csm).clients()) == {other_engagement.client}
    # A brand-new client of a CSM, with no engagement yet, is theirs to see.
    profile = services.client_create(by=other_csm, name="Umbrella Pharma")
    assert profile.organization in Organization.objects.visible_to(other_csm)
    assert profile.organization not in Organization.objects.visible_to(csm)


def test_a_new_link_is_the_clients_to_see_by_its_kind(csm, engagement):
    from engagements.models import ResourceLinkKind

    board = services.resource_link_save(
        by=csm, engagement=engagement, kind=ResourceLinkKind.BOARD, title="Board", url="https://board.example"
    )
    repository = services.resource_link_save(
        by=csm, engagement=engagement, kind=ResourceLinkKind.REPOSITORY, title="Code", url="https://git.example"
    )
    assert (board.client_visible, repository.client_visible) == (True, False)
