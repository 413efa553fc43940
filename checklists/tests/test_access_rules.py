"""Data-level access rules that the services enforce whatever a view lets through (ASVS 8.2.2/8.4.1)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.tests.factories import UserFactory
from checklists import services as checklist_services
from checklists.models import Decision, SatisfactionScore, StageAcceptance
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements import policy
from engagements.tests.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


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


def test_ticking_an_item_inline_keeps_its_comment_count(client, csm, engagement):
    from checklists.tests.factories import ItemCommentFactory

    item = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement))
    ItemCommentFactory(item=item)
    client.force_login(csm)
    response = client.post(reverse("checklists:item", args=[item.pk]), {"status": "done"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "1 comment" in response.content.decode()


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


def test_only_managers_set_an_item_not_applicable(client, team_member, pm, engagement):
    """ "Not applicable" takes an item out of the plan: it counts as closed for the stage's acceptance and the go-live
    without its evidence, as removing it would. Removing is for those who manage the engagement; so is this."""
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    item = ChecklistItemFactory(stage=stage, title="Sign the DPA", evidence_required="file", client_side=True)
    with pytest.raises(PermissionDenied):
        checklist_services.item_update(by=team_member, item=item, status="not_applicable")
    client.force_login(team_member)
    page = client.get(reverse("checklists:item", args=[item.pk]))
    assert "not_applicable" not in page.content.decode(), "the item page offers a team member no such choice"
    response = client.post(reverse("checklists:item", args=[item.pk]), {"status": "not_applicable"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "open"
    # The team still moves it along; its managers may take it out of the plan.
    checklist_services.item_update(by=team_member, item=item, status="in_progress")
    checklist_services.item_update(by=pm, item=item, status="not_applicable")
    item.refresh_from_db()
    assert item.status == "not_applicable"


def test_a_template_never_assigns_the_clients_key_user_our_own_items(csm, client_key_user, engagement):
    """Client people are assigned only the client's items (they neither see nor can complete ours, and would be
    reminded of them): a template whose vendor-side item names the key user as default leaves it unassigned, and the
    admin refuses such a template item."""
    from checklists.models import AssigneeRole
    from checklists.tests.factories import TemplateItemFactory

    ours = TemplateItemFactory(
        title="Configure the VPN", owner_side="vendor", default_assignee_role=AssigneeRole.KEY_USER
    )
    TemplateItemFactory(
        stage=ours.stage, title="Name the admins", owner_side="client", default_assignee_role=AssigneeRole.KEY_USER
    )
    checklist_services.template_apply(by=csm, engagement=engagement, template=ours.stage.template)
    assignees = dict(engagement.stages.get().items.values_list("title", "assignee"))
    assert assignees == {"Configure the VPN": None, "Name the admins": client_key_user.pk}
    with pytest.raises(ValidationError) as refused:
        ours.full_clean()
    assert "default_assignee_role" in refused.value.message_dict
