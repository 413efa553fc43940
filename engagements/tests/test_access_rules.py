"""Data-level access rules that the services enforce whatever a view lets through (ASVS 8.2.2/8.4.1)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from engagements import policy, services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url_name", "data", "typed"),
    [
        ("engagements:milestone_add", {"title": "First invoice run"}, "First invoice run"),
        ("engagements:promise_add", {"description": "Weekly status mail", "source": "sales"}, "Weekly status mail"),
        ("engagements:integration_add", {"provider": "DHL Parcel"}, "DHL Parcel"),
        ("engagements:link_add", {"kind": "docs", "title": "Runbook", "url": "not a url"}, "Runbook"),
    ],
)
def test_a_rejected_engagement_form_keeps_the_input_and_names_the_field(client, csm, engagement, url_name, data, typed):
    from engagements.models import Integration, Milestone, Promise, ResourceLink

    client.force_login(csm)
    response = client.post(reverse(url_name, args=[engagement.pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert typed in body
    assert "invalid-feedback" in body
    for model in (Milestone, Promise, Integration, ResourceLink):
        assert not model.objects.filter(engagement=engagement).exists()


def test_a_rejected_billing_record_keeps_the_input(client, csm, client_org):
    from .factories import ClientProfileFactory

    profile = ClientProfileFactory(organization=client_org, csm=csm)
    client.force_login(csm)
    response = client.post(reverse("engagements:billing_add", args=[profile.pk]), {"title": "Setup fee, first half"})
    assert response.status_code == 200
    assert "Setup fee, first half" in response.content.decode()
    assert not profile.billing_records.exists()


def test_the_key_user_stakeholder_links_only_a_key_user_account(csm, client_member, client_key_user, engagement):
    with pytest.raises(ValidationError, match="key-user role"):
        services.stakeholder_save(
            by=csm, engagement=engagement, name=client_member.full_name, user=client_member, is_key_user=True
        )
    assert not engagement.stakeholders.exists()
    services.stakeholder_save(
        by=csm, engagement=engagement, name=client_key_user.full_name, user=client_key_user, is_key_user=True
    )
    assert policy.may_decide(client_key_user, engagement)


def test_an_integration_or_milestone_of_another_engagement_cannot_be_saved_through_mine(
    csm, engagement, other_engagement
):
    from .factories import IntegrationFactory, MilestoneFactory

    theirs = IntegrationFactory(engagement=other_engagement, provider="Stripe")
    with pytest.raises(PermissionDenied):
        services.integration_save(by=csm, engagement=engagement, integration=theirs, provider="Hijacked")
    milestone = MilestoneFactory(engagement=other_engagement, title="Their win")
    with pytest.raises(PermissionDenied):
        services.milestone_save(by=csm, engagement=engagement, milestone=milestone, title="Hijacked")
    theirs.refresh_from_db()
    milestone.refresh_from_db()
    assert (theirs.provider, milestone.title) == ("Stripe", "Their win")


def test_an_engagement_edit_with_go_live_before_kickoff_or_a_negative_budget_changes_nothing(client, csm, engagement):
    from datetime import date

    engagement.kickoff_on, engagement.target_go_live_on = date(2026, 3, 2), date(2026, 6, 1)
    engagement.save()
    client.force_login(csm)
    data = {
        "name": "Renamed",
        "csm": csm.pk,
        "currency": "EUR",
        "kickoff_on": "2026-03-02",
        "target_go_live_on": "2026-02-01",
        "planned_amount": "-5000",
    }
    response = client.post(reverse("engagements:edit", args=[engagement.pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "The go-live cannot come before the kickoff." in body
    assert "Enter zero or more." in body
    assert 'value="Renamed"' in body
    engagement.refresh_from_db()
    assert (engagement.name, engagement.target_go_live_on) != ("Renamed", date(2026, 2, 1))


def test_only_the_clients_csm_director_and_admin_edit_its_profile_and_billing(
    engagement, csm, pm, team_member, executive, director
):
    from .factories import ClientProfileFactory

    profile = ClientProfileFactory(organization=engagement.client, industry="Retail", csm=csm)
    for person in (pm, team_member, executive):
        with pytest.raises(PermissionDenied):
            services.client_profile_update(by=person, profile=profile, industry="Changed")
        with pytest.raises(PermissionDenied):
            services.billing_record_add(by=person, profile=profile, title="Invoice 1")
    profile.refresh_from_db()
    assert profile.industry != "Changed"
    for person in (csm, director):
        services.client_profile_update(by=person, profile=profile, industry="Logistics")
    profile.refresh_from_db()
    assert profile.industry == "Logistics"


def test_client_services_never_move_a_profile_to_another_client(csm, client_org, other_client_org):
    """A client's CSM edits its profile; what the service accepts is the profile's own fields. Re-pointing the
    profile (or a new client's) at another organization would make this CSM that client's CSM."""
    from .factories import ClientProfileFactory

    profile = ClientProfileFactory(organization=client_org, csm=csm)
    with pytest.raises(ValueError):
        services.client_profile_update(by=csm, profile=profile, organization=other_client_org)
    with pytest.raises(ValueError):
        services.client_create(by=csm, name="Umbrella Pharma", organization=other_client_org)
    assert not policy.may_manage_client(csm, other_client_org)
    profile.refresh_from_db()
    assert profile.organization == client_org
