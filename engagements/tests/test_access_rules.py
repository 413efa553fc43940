"""Data-level access rules that the services enforce whatever a view lets through (ASVS 8.2.2/8.4.1)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from checklists import services as checklist_services
from checklists.models import Decision, SatisfactionScore, StageAcceptance
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements import policy, services

from .factories import StakeholderFactory

pytestmark = pytest.mark.django_db


# --- Assignees come from the engagement -------------------------------------------------------------


def test_an_item_cannot_be_assigned_to_staff_outside_the_engagement(csm, other_csm, engagement):
    item = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement))
    with pytest.raises(ValidationError, match="working on this engagement"):
        checklist_services.item_update(by=csm, item=item, assignee=other_csm)
    item.refresh_from_db()
    assert item.assignee_id is None


def test_a_new_item_cannot_be_assigned_to_staff_outside_the_engagement(csm, other_csm, engagement):
    stage = ChecklistStageFactory(engagement=engagement)
    with pytest.raises(ValidationError):
        checklist_services.item_create(by=csm, stage=stage, title="Set up VPN", assignee=other_csm)
    assert not stage.items.exists()


def test_an_item_can_be_assigned_to_the_team_and_the_client(csm, team_member, client_member, engagement):
    item = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), client_side=True)
    checklist_services.item_update(by=csm, item=item, assignee=team_member)
    checklist_services.item_update(by=csm, item=item, assignee=client_member)
    item.refresh_from_db()
    assert item.assignee == client_member


def test_an_inactive_person_cannot_be_assigned(csm, client_org, engagement):
    gone = UserFactory(organization=client_org, is_active=False)
    item = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement))
    with pytest.raises(ValidationError):
        checklist_services.item_update(by=csm, item=item, assignee=gone)


def test_inline_assignment_to_an_outsider_changes_nothing(client, csm, other_csm, engagement):
    item = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement))
    client.force_login(csm)
    response = client.post(
        reverse("checklists:item", args=[item.pk]), {"assignee": other_csm.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Nothing was changed" in response.content.decode()
    item.refresh_from_db()
    assert item.assignee_id is None


# --- The engagement's key user decides ---------------------------------------------------------------


def test_another_key_user_of_the_same_client_cannot_decide_when_one_is_named(client_key_user, client_org, engagement):
    second_key_user = UserFactory(key_user=True, organization=client_org)
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user, name=client_key_user.full_name)
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    ChecklistItemFactory(stage=stage, done=True)
    assert not policy.may_decide(second_key_user, engagement)
    with pytest.raises(PermissionDenied):
        checklist_services.acceptance_decide(
            by=second_key_user, engagement=engagement, stage=stage, decision=Decision.ACCEPTED
        )
    checklist_services.acceptance_decide(
        by=client_key_user, engagement=engagement, stage=stage, decision=Decision.ACCEPTED
    )
    assert StageAcceptance.objects.get().decided_by == client_key_user


def test_the_portal_shows_decision_buttons_only_to_the_named_key_user(client, client_key_user, client_org, engagement):
    second_key_user = UserFactory(key_user=True, organization=client_org)
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user, name=client_key_user.full_name)
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    ChecklistItemFactory(stage=stage, done=True)
    url = reverse("portal:engagement", args=[engagement.pk])
    client.force_login(second_key_user)
    assert f"accept-stage-{stage.pk}" not in client.get(url).content.decode()
    response = client.post(reverse("portal:stage_decision", args=[stage.pk]), {"decision": "accepted"}, follow=True)
    assert "Only the key user named for this engagement" in response.content.decode()
    assert not StageAcceptance.objects.exists()
    client.force_login(client_key_user)
    assert f"accept-stage-{stage.pk}" in client.get(url).content.decode()


def test_a_double_click_on_accept_work_plan_records_one_baseline(client_key_user, csm, engagement):
    stage = ChecklistStageFactory(engagement=engagement)
    item = ChecklistItemFactory(stage=stage)
    checklist_services.acceptance_decide(by=client_key_user, engagement=engagement, decision=Decision.ACCEPTED)
    with pytest.raises(ValidationError, match="already accepted"):
        checklist_services.acceptance_decide(by=client_key_user, engagement=engagement, decision=Decision.ACCEPTED)
    assert StageAcceptance.objects.count() == 1
    assert SatisfactionScore.objects.count() == 1
    # Once the plan changed, accepting it again records a new baseline.
    checklist_services.item_update(by=csm, item=item, title="Renamed")
    checklist_services.acceptance_decide(by=client_key_user, engagement=engagement, decision=Decision.ACCEPTED)
    assert StageAcceptance.objects.count() == 2


# --- Query counts with the engagement's side records growing ---------------------------------------


def test_engagement_page_queries_do_not_grow_with_team_records_and_decisions(client, csm, client_key_user, engagement):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from checklists.tests.factories import StageAcceptanceFactory

    from .factories import EngagementMemberFactory, IntegrationFactory, MilestoneFactory, ObligationFactory

    def grow():
        stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
        for _ in range(3):
            ChecklistItemFactory(stage=stage, assignee=UserFactory(organization=engagement.client))
            EngagementMemberFactory(engagement=engagement)
            ObligationFactory(engagement=engagement)
            MilestoneFactory(engagement=engagement, early_win=True, reached_on=timezone.localdate())
            IntegrationFactory(engagement=engagement)
            StageAcceptanceFactory(engagement=engagement, stage=stage, decided_by=client_key_user)

    def count(user, url):
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    engagement.kickoff_on = timezone.localdate()
    engagement.save()
    staff_url = reverse("portfolio:engagement", args=[engagement.pk])
    portal_url = reverse("portal:engagement", args=[engagement.pk])
    grow()
    small = (count(csm, staff_url), count(client_key_user, portal_url))
    grow()
    grow()
    assert (count(csm, staff_url), count(client_key_user, portal_url)) == small


def test_ticking_an_item_inline_keeps_its_comment_count(client, csm, engagement):
    from checklists.tests.factories import ItemCommentFactory

    item = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement))
    ItemCommentFactory(item=item)
    client.force_login(csm)
    response = client.post(reverse("checklists:item", args=[item.pk]), {"status": "done"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "1 comment" in response.content.decode()


# --- Bad input keeps what was typed -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "data", "typed"),
    [
        ("engagements:milestone_add", {"title": "First invoice run"}, "First invoice run"),
        ("engagements:obligation_add", {"description": "Weekly status mail", "source": "sales"}, "Weekly status mail"),
        ("engagements:integration_add", {"provider": "DHL Parcel"}, "DHL Parcel"),
        ("engagements:link_add", {"kind": "docs", "title": "Runbook", "url": "not a url"}, "Runbook"),
    ],
)
def test_a_rejected_engagement_form_keeps_the_input_and_names_the_field(client, csm, engagement, url_name, data, typed):
    from engagements.models import Integration, Milestone, Obligation, ResourceLink

    client.force_login(csm)
    response = client.post(reverse(url_name, args=[engagement.pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert typed in body
    assert "invalid-feedback" in body
    for model in (Milestone, Obligation, Integration, ResourceLink):
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


def test_only_a_director_or_admin_records_someone_elses_absence(csm, director, pm):
    from datetime import date

    with pytest.raises(PermissionDenied):
        services.pm_absence_record(by=csm, user=pm, starts_on=date(2026, 7, 1), ends_on=date(2026, 7, 14))
    absence = services.pm_absence_record(by=director, user=pm, starts_on=date(2026, 7, 1), ends_on=date(2026, 7, 14))
    assert absence.user == pm


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


def test_the_dashboard_shows_a_planned_kickoff_as_days_to_go(client, csm, engagement):
    from datetime import timedelta

    engagement.kickoff_on = timezone.localdate() + timedelta(days=5)
    engagement.save()
    client.force_login(csm)
    body = client.get(reverse("home")).content.decode()
    assert "starts in 5 days" in body
    assert ">-5<" not in body


def test_a_refused_completion_leaves_no_file_behind(csm, engagement, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from checklists.models import Evidence

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    item = ChecklistItemFactory(stage__engagement=engagement, evidence_required=Evidence.LINK)
    upload = SimpleUploadedFile("notes.txt", b"meeting notes\n", content_type="text/plain")
    with pytest.raises(ValidationError, match="link"):
        checklist_services.item_complete(by=csm, item=item, evidence_file=upload)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_the_portal_task_page_says_when_it_is_overdue_and_which_files_are_accepted(client, client_key_user, engagement):
    from checklists.models import Evidence

    item = ChecklistItemFactory(
        stage=ChecklistStageFactory(engagement=engagement),
        client_side=True,
        overdue=True,
        evidence_required=Evidence.FILE,
    )
    client.force_login(client_key_user)
    body = client.get(reverse("portal:item", args=[item.pk])).content.decode()
    assert "Open · overdue" in body
    assert "PDF, image, office document, ZIP or text, up to" in body


def test_client_people_are_assigned_only_the_clients_own_items(client, csm, client_member, engagement):
    from engagements.models import Side

    stage = ChecklistStageFactory(engagement=engagement)
    vendor_item = ChecklistItemFactory(stage=stage, title="Set up CI")
    with pytest.raises(ValidationError, match="client's own items"):
        checklist_services.item_update(by=csm, item=vendor_item, assignee=client_member)
    client_item = ChecklistItemFactory(stage=stage, client_side=True)
    checklist_services.item_update(by=csm, item=client_item, assignee=client_member)
    with pytest.raises(ValidationError):
        checklist_services.item_update(by=csm, item=client_item, owner_side=Side.VENDOR)
    # The engagement page offers client people only on the client's items.
    client.force_login(csm)
    row = client.get(reverse("checklists:item", args=[vendor_item.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert client_member.full_name not in row


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
