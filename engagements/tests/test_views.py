import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory

from .factories import StakeholderFactory

pytestmark = pytest.mark.django_db


HTMX = {"HTTP_HX_REQUEST": "true"}


def test_client_profile_is_not_reachable_by_clients(client, client_key_user, engagement):
    from .factories import ClientProfileFactory

    profile = ClientProfileFactory(organization=engagement.client)
    client.force_login(client_key_user)
    assert client.get(reverse("engagements:client_detail", args=[profile.pk])).status_code == 404


def test_the_client_page_names_the_language_of_its_content(client, csm, engagement):
    from .factories import ClientProfileFactory

    profile = ClientProfileFactory(organization=engagement.client, csm=csm, language="pl")
    client.force_login(csm)
    page = client.get(reverse("engagements:client_detail", args=[profile.pk])).content.decode()
    assert "Language of the content" in page and "Polish" in page


def test_csm_creates_client_then_engagement(client, csm, pm, deputy_pm):
    client.force_login(csm)
    response = client.post(
        reverse("engagements:client_create"), {"name": "Umbrella Pharma", "industry": "Pharma", "language": "pl"}
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert "Umbrella Pharma" in response.content.decode()
    org = response.context["profile"].organization
    assert org.client_profile.language == "pl"
    response = client.post(
        reverse("engagements:create"),
        {
            "client": org.pk,
            "name": "Lab systems",
            "csm": csm.pk,
            "pm": pm.pk,
            "deputy_pm": deputy_pm.pk,
            "currency": "EUR",
        },
    )
    assert response.status_code == 302
    assert "Lab systems" in client.get(response["Location"]).content.decode()


def test_engagement_form_errors_keep_everything_unchanged(client, csm, engagement):
    client.force_login(csm)
    response = client.post(
        reverse("engagements:edit", args=[engagement.pk]),
        {"name": "Renamed", "csm": csm.pk, "pm": engagement.pm_id, "deputy_pm": engagement.pm_id, "currency": "EUR"},
    )
    assert response.status_code == 200 and "someone other than the PM" in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.name == "Warehouse rollout"


def test_phase_change_refused_before_handoff_shows_why(client, csm, engagement):
    engagement.phase = "handoff"
    engagement.save()
    client.force_login(csm)
    response = client.post(
        reverse("engagements:phase", args=[engagement.pk]), {"to": "kickoff", "kickoff_on": "2026-12-01"}, follow=True
    )
    assert "record and complete the sales handoff" in response.content.decode()
    # The form comes back with the date that was typed.
    assert 'value="2026-12-01"' in response.content.decode()


def test_handoff_form_records_and_completes(client, csm, engagement):
    client.force_login(csm)
    response = client.post(
        reverse("engagements:handoff", args=[engagement.pk]),
        {"problem": "Outages", "success_measures": "Uptime", "political_dynamics": "Sensitive", "complete": "on"},
    )
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.handoff.handed_over_at is not None


def test_stakeholder_page_adds_and_refuses_a_second_key_user(client, csm, engagement):
    client.force_login(csm)
    url = reverse("engagements:stakeholders", args=[engagement.pk])
    client.post(url, {"name": "Kasia", "influence": "high", "is_key_user": "on"})
    response = client.post(url, {"name": "Other", "influence": "low", "is_key_user": "on"})
    assert response.status_code == 200 and "already has a key user" in response.content.decode()
    assert engagement.stakeholders.count() == 1


def test_stakeholders_are_edited_and_removed(client, csm, engagement):
    stakeholder = StakeholderFactory(engagement=engagement, name="Old name")
    client.force_login(csm)
    response = client.post(
        reverse("engagements:stakeholder_edit", args=[stakeholder.pk]),
        {"name": "New name", "influence": "high", "is_executive_sponsor": "on"},
    )
    assert response.status_code == 302
    stakeholder.refresh_from_db()
    assert stakeholder.name == "New name" and stakeholder.is_executive_sponsor
    client.post(reverse("engagements:stakeholder_delete", args=[stakeholder.pk]))
    assert engagement.stakeholders.exists()
    client.post(reverse("engagements:stakeholder_delete", args=[stakeholder.pk]), {"confirm": "yes"})
    assert not engagement.stakeholders.exists()


def test_integration_status_is_updated(client, team_member, engagement):
    from .factories import IntegrationFactory

    integration = IntegrationFactory(engagement=engagement)
    client.force_login(team_member)
    client.post(
        reverse("engagements:integration_edit", args=[integration.pk]),
        {"provider": integration.provider, "status": "blocked", "blockers": "No API key yet"},
    )
    integration.refresh_from_db()
    assert integration.status == "blocked" and integration.blockers == "No API key yet"


def test_managers_add_team_members_but_not_client_people(client, csm, engagement, client_key_user, vendor):
    newcomer = UserFactory(organization=vendor, full_name="Nina New")
    client.force_login(csm)
    client.post(reverse("engagements:member_add", args=[engagement.pk]), {"user": newcomer.pk, "role": "QA"})
    assert engagement.members.filter(user=newcomer, role="QA").exists()
    client.post(reverse("engagements:member_add", args=[engagement.pk]), {"user": client_key_user.pk})
    assert not engagement.members.filter(user=client_key_user).exists()
