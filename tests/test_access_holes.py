"""The two access holes issue 7 reported in engagements (holes 3 and 4), each shown closed through the services
and pages (these tests fail on the layout before the restructure)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Invitation, Role
from accounts.tests.factories import UserFactory
from checklists import services as checklist_services
from checklists.models import Decision
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements import policy, services
from engagements.models import ClientProfile, Engagement, Stakeholder
from engagements.tests.factories import ClientProfileFactory, EngagementFactory, StakeholderFactory
from notifications.models import Channel, Notification

pytestmark = pytest.mark.django_db


def _invite(by, organization, email="someone@acme.example", role=Role.CLIENT_KEY_USER):
    return account_services.invitation_create(
        by=by, organization=organization, email=email, full_name="Someone", role=role
    )


# --- Hole 3: opening an engagement grants nothing over the client ------------------------------------------------


def test_a_csm_cannot_open_an_engagement_for_another_csms_client(client, csm, other_csm, engagement):
    ClientProfileFactory(organization=engagement.client, csm=csm)
    with pytest.raises(PermissionDenied):
        services.engagement_create(by=other_csm, client=engagement.client, name="Takeover", csm=other_csm)
    client.force_login(other_csm)
    form = client.get(reverse("engagements:create")).context["form"]
    assert engagement.client not in form.fields["client"].queryset
    response = client.post(
        reverse("engagements:create"), {"client": engagement.client_id, "name": "Takeover", "csm": other_csm.pk}
    )
    assert response.status_code == 200 and "client" in response.context["form"].errors
    assert not Engagement.objects.filter(name="Takeover").exists()


def test_the_new_engagement_form_offers_the_clients_csm_their_own_clients_only(
    client, csm, engagement, other_engagement
):
    ClientProfileFactory(organization=engagement.client, csm=csm)
    ClientProfileFactory(organization=other_engagement.client, csm=other_engagement.csm)
    client.force_login(csm)
    offered = list(client.get(reverse("engagements:create")).context["form"].fields["client"].queryset)
    assert offered == [engagement.client]


def test_an_engagement_opened_by_the_director_gives_its_csm_nothing_over_the_client(
    client, csm, other_csm, director, engagement
):
    profile = ClientProfileFactory(organization=engagement.client, csm=csm, industry="Logistics")
    invitation = _invite(csm, engagement.client)
    services.engagement_create(by=director, client=engagement.client, name="Second project", csm=other_csm)
    profile.refresh_from_db()
    assert profile.csm == csm
    # Not the profile, billing or who the client's CSM is ...
    with pytest.raises(PermissionDenied):
        services.client_profile_update(by=other_csm, profile=profile, csm=other_csm)
    with pytest.raises(PermissionDenied):
        services.billing_record_add(by=other_csm, profile=profile, title="Invoice 1", due_on=timezone.localdate())
    client.force_login(other_csm)
    assert client.get(reverse("engagements:client_edit", args=[profile.pk])).status_code == 404
    # ... nor the client's invitations.
    assert not Invitation.objects.visible_to(other_csm).filter(pk=invitation.pk).exists()
    assert client.post(reverse("accounts:invitation_revoke", args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    profile.refresh_from_db()
    assert (profile.csm, profile.industry) == (csm, "Logistics")


def test_a_csm_who_creates_a_client_becomes_its_csm_and_opens_its_engagements(csm, other_csm):
    profile = services.client_create(by=csm, name="Umbrella Pharma")
    assert profile.csm == csm
    engagement = services.engagement_create(by=csm, client=profile.organization, name="Lab systems", csm=csm)
    assert engagement.client == profile.organization
    with pytest.raises(PermissionDenied):
        services.engagement_create(by=other_csm, client=profile.organization, name="Takeover", csm=other_csm)


def test_the_director_opening_an_engagement_for_a_client_without_csm_names_one(director, csm, client_org):
    services.engagement_create(by=director, client=client_org, name="First", csm=csm)
    assert ClientProfile.objects.get(organization=client_org).csm == csm


def test_the_clients_csm_hands_the_client_over_and_then_manages_it_no_more(csm, other_csm, engagement):
    profile = ClientProfileFactory(organization=engagement.client, csm=csm)
    services.client_profile_update(by=csm, profile=profile, csm=other_csm)
    services.client_profile_update(by=other_csm, profile=profile, industry="Retail")
    with pytest.raises(PermissionDenied):
        services.client_profile_update(by=csm, profile=profile, csm=csm)


# --- Hole 4: only the engagement's managers choose who decides for the client ------------------------------------


def test_a_team_member_cannot_invite_client_people(team_member, engagement):
    with pytest.raises(PermissionDenied):
        _invite(team_member, engagement.client)
    assert not Invitation.objects.exists()


def test_the_engagements_managers_invite_client_people(pm, deputy_pm, csm, director, engagement):
    for n, person in enumerate((pm, deputy_pm, csm, director)):
        _invite(person, engagement.client, email=f"person{n}@acme.example")
    assert Invitation.objects.count() == 4
    # The sender sees (and may revoke) what they sent, without managing the client.
    assert Invitation.objects.visible_to(pm).count() == 1


def test_the_pm_of_a_closed_engagement_invites_no_more(pm, engagement):
    engagement.phase = "closed"
    engagement.save()
    with pytest.raises(PermissionDenied):
        _invite(pm, engagement.client)


def test_a_team_member_cannot_make_someone_key_user(team_member, client_key_user, engagement):
    with pytest.raises(PermissionDenied):
        services.stakeholder_save(
            by=team_member, engagement=engagement, name="Mallory", user=client_key_user, is_key_user=True
        )
    stakeholder = StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user)
    impostor = UserFactory(key_user=True, organization=engagement.client)
    with pytest.raises(PermissionDenied):
        services.stakeholder_save(by=team_member, engagement=engagement, stakeholder=stakeholder, user=impostor)
    with pytest.raises(PermissionDenied):
        services.stakeholder_delete(by=team_member, stakeholder=stakeholder)
    stakeholder.refresh_from_db()
    assert (stakeholder.is_key_user, stakeholder.user) == (True, client_key_user)
    # Nor anything else on the key user's row (its address is where invitations go); the rows not linked to an
    # account stay the team's to keep up to date.
    with pytest.raises(PermissionDenied):
        services.stakeholder_save(by=team_member, engagement=engagement, stakeholder=stakeholder, role_title="CIO")
    services.stakeholder_save(by=team_member, engagement=engagement, name="Finance lead")
    assert Stakeholder.objects.filter(engagement=engagement).count() == 2


def test_the_stakeholder_form_keeps_the_key_user_whatever_a_team_member_posts(
    client, team_member, client_key_user, engagement
):
    stakeholder = StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user, name="Kasia")
    impostor = UserFactory(key_user=True, organization=engagement.client)
    client.force_login(team_member)
    response = client.post(
        reverse("engagements:stakeholder_edit", args=[stakeholder.pk]),
        {"name": "Kasia", "influence": "high", "user": impostor.pk, "is_key_user": ""},
    )
    assert response.status_code == 302
    stakeholder.refresh_from_db()
    assert (stakeholder.name, stakeholder.is_key_user, stakeholder.user) == ("Kasia", True, client_key_user)
    client.post(reverse("engagements:stakeholder_delete", args=[stakeholder.pk]), {"confirm": "yes"})
    assert Stakeholder.objects.filter(pk=stakeholder.pk).exists()


def test_a_change_of_key_user_is_told_to_the_clients_key_users_and_the_csm(
    pm, csm, client_key_user, client_member, engagement
):
    second = UserFactory(key_user=True, organization=engagement.client, full_name="Karl Second")
    services.stakeholder_save(by=pm, engagement=engagement, name="Karl", user=second, is_key_user=True)
    told = set(Notification.objects.filter(channel=Channel.EMAIL).values_list("recipient__full_name", flat=True))
    assert told == {client_key_user.full_name, second.full_name, csm.full_name}
    mail = Notification.objects.get(channel=Channel.EMAIL, recipient=client_key_user)
    assert "Karl Second" in mail.subject
    assert mail.url == reverse("portal:engagement", args=[engagement.pk])
    # Editing anything else on the key user's row tells nobody.
    stakeholder = Stakeholder.objects.get(engagement=engagement)
    services.stakeholder_save(by=pm, engagement=engagement, stakeholder=stakeholder, role_title="CIO")
    assert Notification.objects.filter(channel=Channel.EMAIL).count() == 3


def test_removing_the_key_user_is_a_change_of_key_user(pm, csm, client_key_user, engagement):
    stakeholder = StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user)
    services.stakeholder_delete(by=pm, stakeholder=stakeholder)
    assert set(Notification.objects.filter(channel=Channel.EMAIL).values_list("recipient", flat=True)) == {
        client_key_user.pk,
        csm.pk,
    }


def test_the_forged_sign_off_of_issue_7_is_refused(team_member, client_key_user, engagement):
    """The attack as reported: a team member invites an address she controls as key user, links it as the
    engagement's key user and accepts the work plan in the client's name."""
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user)
    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement))
    with pytest.raises(PermissionDenied):
        _invite(team_member, engagement.client, email="mallory@evil.example")
    forged = UserFactory(key_user=True, organization=engagement.client)  # even if she had an account
    stakeholder = Stakeholder.objects.get(engagement=engagement)
    with pytest.raises(PermissionDenied):
        services.stakeholder_save(by=team_member, engagement=engagement, stakeholder=stakeholder, user=forged)
    with pytest.raises(PermissionDenied):
        checklist_services.acceptance_decide(by=forged, engagement=engagement, decision=Decision.ACCEPTED)
    checklist_services.acceptance_decide(by=client_key_user, engagement=engagement, decision=Decision.ACCEPTED)


def test_the_portal_shows_who_decided_each_acceptance_and_when(client, client_key_user, client_org, engagement):
    second_key_user = UserFactory(key_user=True, organization=client_org, full_name="Karl Second")
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title="Scope")
    ChecklistItemFactory(stage=stage, done=True)
    acceptance = checklist_services.acceptance_decide(
        by=client_key_user, engagement=engagement, stage=stage, decision=Decision.ACCEPTED
    )
    checklist_services.acceptance_decide(by=client_key_user, engagement=engagement, decision=Decision.ACCEPTED)
    client.force_login(second_key_user)
    response = client.get(reverse("portal:engagement", args=[engagement.pk]))
    decisions = response.content.decode().split('data-testid="client-decisions"')[1].split("</ul>")[0]
    assert decisions.count(client_key_user.full_name) == 2
    assert "Scope" in decisions and "the work plan" in decisions
    with timezone.override(client_key_user.time_zone):
        when = timezone.localtime(acceptance.decided_at)
    assert f"{when:%H:%M}" in decisions
    # Nobody else is credited with the client's decision.
    assert "Karl Second" not in decisions


def test_a_manager_of_one_engagement_cannot_mint_the_key_user_who_signs_off_another(
    client, pm, other_csm, client_key_user, engagement
):
    """The PM of one engagement may invite the client's people, but a key user they bring in does not decide on the
    client's other engagements, which they do not manage: there, while no key user is linked, only key users
    brought in by that engagement's or the client's managers decide (else hole 4 is open again one engagement
    over: invite an address you control, accept the invitation, accept the other team's work plan)."""
    ClientProfileFactory(organization=engagement.client, csm=engagement.csm)
    elsewhere = EngagementFactory(client=engagement.client, csm=other_csm, pm=UserFactory(pm=True), deputy_pm=None)
    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=elsewhere))
    invitation = _invite(pm, engagement.client, email="mallory@evil.example")
    forged = account_services.invitation_accept(
        token=account_services.invitation_token(invitation), password="a-long-phrase-42!"
    )
    with pytest.raises(PermissionDenied):
        checklist_services.acceptance_decide(by=forged, engagement=elsewhere, decision=Decision.ACCEPTED)
    client.force_login(forged)
    response = client.get(reverse("portal:engagement", args=[elsewhere.pk]))
    assert response.context["can_decide"] is False
    response = client.post(reverse("portal:work_plan_decision", args=[elsewhere.pk]), {"decision": "accepted"})
    assert not elsewhere.acceptances.exists()
    # The client's own key user still decides there, and the PM's invitee on the PM's own engagement.
    checklist_services.acceptance_decide(by=client_key_user, engagement=elsewhere, decision=Decision.ACCEPTED)
    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement))
    checklist_services.acceptance_decide(by=forged, engagement=engagement, decision=Decision.ACCEPTED)
    # The many-engagements form of the rule (the portal home's "waiting on you") agrees.
    for person in (forged, client_key_user):
        decided = set(policy.engagements_decided_by(person))
        assert decided == {each for each in (engagement, elsewhere) if policy.may_decide(person, each)}, person
    assert set(policy.engagements_decided_by(forged)) == {engagement}
