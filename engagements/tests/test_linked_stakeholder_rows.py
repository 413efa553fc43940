"""The key user's row on the stakeholder map, and every row linked to a portal account, are changed only by those
who manage the engagement: invitations and meeting invitations go to the address on them. The team keeps the
other rows up to date."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.tests.factories import UserFactory
from engagements import services
from engagements.models import Stakeholder
from engagements.tests.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_user_row(engagement, client_key_user):
    return StakeholderFactory(
        engagement=engagement, key_user=True, user=client_key_user, name="Kasia", email="kasia@acme.example"
    )


@pytest.fixture
def linked_row(engagement, client_member):
    return StakeholderFactory(engagement=engagement, user=client_member, name="Ivan", email="ivan@acme.example")


def test_a_team_member_cannot_redirect_the_key_users_address(team_member, engagement, key_user_row):
    with pytest.raises(PermissionDenied):
        services.stakeholder_save(
            by=team_member, engagement=engagement, stakeholder=key_user_row, email="mallory@evil.example"
        )
    key_user_row.refresh_from_db()
    assert key_user_row.email == "kasia@acme.example"


def test_a_team_member_cannot_change_or_remove_a_linked_row(team_member, engagement, linked_row):
    with pytest.raises(PermissionDenied):
        services.stakeholder_save(
            by=team_member, engagement=engagement, stakeholder=linked_row, email="mallory@evil.example"
        )
    with pytest.raises(PermissionDenied):
        services.stakeholder_delete(by=team_member, stakeholder=linked_row)
    linked_row.refresh_from_db()
    assert linked_row.email == "ivan@acme.example"


def test_a_team_member_cannot_link_a_row_to_an_account(team_member, client_member, engagement):
    row = StakeholderFactory(engagement=engagement, name="Ivan", email="ivan@acme.example")
    with pytest.raises(PermissionDenied):
        services.stakeholder_save(by=team_member, engagement=engagement, stakeholder=row, user=client_member)
    with pytest.raises(PermissionDenied):
        services.stakeholder_save(by=team_member, engagement=engagement, name="Ivan again", user=client_member)
    row.refresh_from_db()
    assert row.user is None and Stakeholder.objects.filter(engagement=engagement).count() == 1


def test_a_team_member_still_edits_and_removes_unlinked_rows(team_member, engagement):
    row = StakeholderFactory(engagement=engagement, name="Olga", email="olga@acme.example")
    services.stakeholder_save(by=team_member, engagement=engagement, stakeholder=row, email="olga.k@acme.example")
    row.refresh_from_db()
    assert row.email == "olga.k@acme.example"
    services.stakeholder_delete(by=team_member, stakeholder=row)
    assert not Stakeholder.objects.filter(pk=row.pk).exists()


def test_those_who_manage_change_the_key_users_row(pm, engagement, key_user_row, linked_row):
    services.stakeholder_save(by=pm, engagement=engagement, stakeholder=key_user_row, email="kasia.n@acme.example")
    services.stakeholder_save(by=pm, engagement=engagement, stakeholder=linked_row, email="ivan.p@acme.example")
    assert set(Stakeholder.objects.values_list("email", flat=True)) == {"kasia.n@acme.example", "ivan.p@acme.example"}


def test_the_form_refuses_a_team_member_with_a_message(client, team_member, engagement, key_user_row, linked_row):
    client.force_login(team_member)
    for row in (key_user_row, linked_row):
        url = reverse("engagements:stakeholder_edit", args=[row.pk])
        response = client.post(url, {"name": row.name, "email": "mallory@evil.example", "influence": "high"})
        assert response.status_code == 302
        follow = client.get(url, follow=True)
        assert "Only those who manage the engagement" in follow.content.decode()
        row.refresh_from_db()
        assert row.email != "mallory@evil.example"
    page = client.get(reverse("engagements:stakeholders", args=[engagement.pk])).content.decode()
    assert reverse("engagements:stakeholder_edit", args=[key_user_row.pk]) not in page
    assert reverse("engagements:stakeholder_edit", args=[linked_row.pk]) not in page
    unlinked = StakeholderFactory(engagement=engagement, name="Olga")
    page = client.get(reverse("engagements:stakeholders", args=[engagement.pk])).content.decode()
    assert reverse("engagements:stakeholder_edit", args=[unlinked.pk]) in page
    assert client.get(reverse("engagements:stakeholder_edit", args=[unlinked.pk])).status_code == 200


def test_the_add_form_offers_a_team_member_no_account_to_link(client, team_member, engagement):
    UserFactory(client_member=True, organization=engagement.client)
    client.force_login(team_member)
    form = client.get(reverse("engagements:stakeholders", args=[engagement.pk])).context["form"]
    assert form.fields["user"].disabled
