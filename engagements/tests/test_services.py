from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.tests.factories import StaffAbsenceFactory
from engagements import selectors, services
from engagements.models import Handoff, Phase, Stakeholder

from .factories import ClientProfileFactory, EngagementFactory, HandoffFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- Phases -------------------------------------------------------------------------------------


def test_kickoff_needs_a_completed_handoff(csm, engagement):
    engagement.phase = Phase.HANDOFF
    engagement.save()
    with pytest.raises(ValidationError, match="handoff"):
        services.engagement_change_phase(by=csm, engagement=engagement, to=Phase.KICKOFF)
    services.handoff_record(by=csm, engagement=engagement, problem="Outages", success_measures="Uptime")
    with pytest.raises(ValidationError, match="handoff"):
        services.engagement_change_phase(by=csm, engagement=engagement, to=Phase.KICKOFF)
    services.handoff_record(by=csm, engagement=engagement, complete=True)
    moved = services.engagement_change_phase(by=csm, engagement=engagement, to=Phase.KICKOFF)
    assert moved.phase == Phase.KICKOFF


def test_it_refuses_transitions_outside_the_table(csm, engagement):
    engagement.phase = Phase.HANDOFF
    engagement.save()
    with pytest.raises(ValidationError, match="cannot move"):
        services.engagement_change_phase(by=csm, engagement=engagement, to=Phase.LIVE)
    engagement.refresh_from_db()
    assert engagement.phase == Phase.HANDOFF


def test_onboarding_sets_the_kickoff_date(csm, engagement):
    engagement.phase, engagement.kickoff_on = Phase.KICKOFF, None
    engagement.save()
    now = timezone.now()
    moved = services.engagement_change_phase(by=csm, engagement=engagement, to=Phase.ONBOARDING, now=now)
    assert moved.kickoff_on == timezone.localdate(now)


def test_team_members_and_other_csms_cannot_change_phase(team_member, other_csm, engagement):
    with pytest.raises(PermissionDenied):
        services.engagement_change_phase(by=team_member, engagement=engagement, to=Phase.LIVE)
    with pytest.raises(PermissionDenied):
        services.engagement_change_phase(by=other_csm, engagement=engagement, to=Phase.LIVE)


# --- Clients and engagements ------------------------------------------------------------------------


def test_a_csm_creates_a_client_and_sees_it(csm):
    profile = services.client_create(by=csm, name="Umbrella Pharma", industry="Pharma")
    assert profile.organization.kind == "client"
    assert selectors.client_list(user=csm).filter(pk=profile.pk).exists()
    with pytest.raises(ValidationError):
        services.client_create(by=csm, name="umbrella pharma")


def test_client_users_never_see_client_profiles(client_key_user, csm, engagement):
    services.client_create(by=csm, name="Umbrella Pharma")
    assert not selectors.client_list(user=client_key_user).exists()


def test_team_members_cannot_create_clients(team_member):
    with pytest.raises(PermissionDenied):
        services.client_create(by=team_member, name="X")


def test_engagement_create_rejects_pm_as_own_deputy(csm, pm, client_org):
    ClientProfileFactory(organization=client_org, csm=csm)
    with pytest.raises(ValidationError) as error:
        services.engagement_create(by=csm, client=client_org, name="E", csm=csm, pm=pm, deputy_pm=pm)
    assert "deputy_pm" in error.value.message_dict


def test_engagement_create_rejects_client_people_as_staff(csm, client_org, client_key_user):
    ClientProfileFactory(organization=client_org, csm=csm)
    with pytest.raises(ValidationError):
        services.engagement_create(by=csm, client=client_org, name="E", csm=csm, pm=client_key_user)


# --- Handoff, stakeholders, absences ---------------------------------------------------------------


def test_the_handoff_is_hidden_from_clients_and_their_stakeholders_read_only_in_part(engagement, csm, client_key_user):
    HandoffFactory(engagement=engagement)
    StakeholderFactory(engagement=engagement, cares_about="Price")
    assert Handoff.objects.visible_to(csm).count() == 1
    assert Handoff.objects.visible_to(client_key_user).count() == 0
    # The client sees their own people (issue 11), without how the team reads them.
    assert "cares_about" in Stakeholder.objects.visible_to(client_key_user).get().get_deferred_fields()
    assert "cares_about" not in Stakeholder.objects.visible_to(csm).get().get_deferred_fields()


def test_an_engagement_has_at_most_one_key_user(csm, engagement):
    services.stakeholder_save(by=csm, engagement=engagement, name="Kasia", is_key_user=True)
    with pytest.raises(ValidationError, match="key user"):
        services.stakeholder_save(by=csm, engagement=engagement, name="Other", is_key_user=True)
    assert Stakeholder.objects.filter(engagement=engagement, is_key_user=True).count() == 1


def test_engagement_warns_without_key_user_or_sponsor(engagement, client_key_user):
    warnings = services.engagement_warnings(engagement, [])
    assert len(warnings) == 2
    sponsor = StakeholderFactory.build(engagement=engagement, key_user=True, sponsor=True, user=client_key_user)
    assert services.engagement_warnings(engagement, [sponsor]) == []


def test_the_key_user_warning_stays_until_they_have_an_active_account(engagement, client_key_user):
    key_user = StakeholderFactory.build(engagement=engagement, key_user=True, sponsor=True, name="Uma Key")
    assert services.engagement_warnings(engagement, [key_user]) == [
        "The key user Uma Key has no active portal account yet, so the client cannot accept stages or the work "
        "plan: invite them from the stakeholder map."
    ]
    client_key_user.is_active = False
    key_user.user = client_key_user
    assert len(services.engagement_warnings(engagement, [key_user])) == 1
    client_key_user.is_active = True
    assert services.engagement_warnings(engagement, [key_user]) == []


def test_deputy_acts_while_the_pm_is_away(engagement, pm, deputy_pm):
    today = date(2026, 3, 10)
    StaffAbsenceFactory(user=pm, starts_on=today, ends_on=today + timedelta(days=2))
    assert services.engagement_acting_pm(engagement, on=today - timedelta(days=1)) == pm
    assert services.engagement_acting_pm(engagement, on=today) == deputy_pm
    assert services.engagement_acting_pm(engagement, on=today + timedelta(days=2)) == deputy_pm
    assert services.engagement_acting_pm(engagement, on=today + timedelta(days=3)) == pm


def test_workload_warns_over_capacity(csm, client_org, settings):
    settings.ENGAGEMENT_CSM_CAPACITY = 2
    for _ in range(3):
        EngagementFactory(csm=csm, client=client_org)
    EngagementFactory(csm=csm, client=client_org, phase=Phase.CLOSED)
    row = next(r for r in selectors.csm_workload() if r.pk == csm.pk)
    assert row.active == 3 and row.over_capacity
