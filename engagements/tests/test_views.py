from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from checklists import services as checklist_services
from checklists.default_template import DEFAULT_TEMPLATE_NAME
from checklists.models import (
    ChecklistItem,
    ChecklistStage,
    ChecklistTemplate,
    Evidence,
    ItemComment,
    ItemStatus,
    SatisfactionScore,
    TemplateItem,
    TemplateStage,
)
from checklists.tests.factories import (
    ChecklistItemFactory,
    ChecklistStageFactory,
    ItemCommentFactory,
    SatisfactionScoreFactory,
)

from .factories import EngagementFactory, HandoffFactory, MilestoneFactory, PmAbsenceFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def uploads(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


def _fill(engagement, *, stages, items, comments=1, extras=True):
    for s in range(stages):
        stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=s % 2 == 0)
        for i in range(items):
            item = ChecklistItemFactory(
                stage=stage,
                overdue=i % 3 == 0,
                client_side=i % 2 == 0,
                assignee=engagement.csm,
                done=i % 4 == 0,
            )
            for _ in range(comments):
                ItemCommentFactory(item=item)
    if extras:
        MilestoneFactory(engagement=engagement, early_win=True, reached_on=timezone.localdate())
        StakeholderFactory(engagement=engagement, key_user=True)
        SatisfactionScoreFactory(engagement=engagement, answered=True)


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


# --- Query counts at two data sizes ------------------------------------------------------------


def test_dashboard_queries_do_not_grow_with_engagements(client, csm, client_org):
    client.force_login(csm)
    _fill(EngagementFactory(csm=csm, client=client_org), stages=1, items=2)
    small = _queries(client, reverse("home"))
    for _ in range(5):
        _fill(EngagementFactory(csm=csm, client=client_org), stages=3, items=6, comments=2)
    assert _queries(client, reverse("home")) == small
    assert small <= 8


def test_director_dashboard_and_workload_queries_are_constant(client, director, client_org):
    client.force_login(director)
    EngagementFactory(client=client_org)
    small = (_queries(client, reverse("home")), _queries(client, reverse("portfolio:workload")))
    for _ in range(6):
        _fill(EngagementFactory(client=client_org), stages=2, items=3)
    assert (_queries(client, reverse("home")), _queries(client, reverse("portfolio:workload"))) == small


def test_engagement_page_queries_do_not_grow_with_items_or_comments(client, csm, engagement):
    client.force_login(csm)
    HandoffFactory(engagement=engagement)
    _fill(engagement, stages=1, items=2)
    url = reverse("portfolio:engagement", args=[engagement.pk])
    small = _queries(client, url)
    _fill(engagement, stages=4, items=10, comments=3, extras=False)
    assert _queries(client, url) == small
    assert small <= 25


def test_client_task_list_and_portal_page_queries_are_constant(client, client_key_user, engagement):
    client.force_login(client_key_user)
    _fill(engagement, stages=1, items=2)
    urls = [reverse("portal:tasks"), reverse("portal:engagement", args=[engagement.pk])]
    small = [_queries(client, url) for url in urls]
    _fill(engagement, stages=4, items=10, comments=3, extras=False)
    assert [_queries(client, url) for url in urls] == small


def test_item_page_queries_do_not_grow_with_comments(client, csm, engagement):
    client.force_login(csm)
    item = ChecklistItemFactory(stage__engagement=engagement)
    ItemCommentFactory(item=item)
    url = reverse("checklists:item", args=[item.pk])
    small = _queries(client, url)
    for _ in range(10):
        ItemCommentFactory(item=item)
    assert _queries(client, url) == small


# --- Dashboard -----------------------------------------------------------------------------------


def test_dashboard_shows_progress_health_and_next_due(client, csm, engagement):
    stage = ChecklistStageFactory(engagement=engagement)
    ChecklistItemFactory(stage=stage, done=True)
    ChecklistItemFactory(stage=stage, overdue=True, title="Send VPN form")
    client.force_login(csm)
    body = client.get(reverse("home")).content.decode()
    assert "50% · 1/2" in body
    assert "At risk" in body
    assert "Send VPN form" in body


def test_dashboard_filters_by_health_and_searches(client, csm, engagement, client_org):
    calm = EngagementFactory(csm=csm, client=client_org, name="Calm one")
    ChecklistItemFactory(stage__engagement=engagement, overdue=True)
    client.force_login(csm)
    body = client.get(reverse("home"), {"health": "at_risk"}).content.decode()
    assert engagement.name in body and calm.name not in body
    body = client.get(reverse("home"), {"q": "calm", "sort": "health"}).content.decode()
    assert calm.name in body and engagement.name not in body


def test_workload_warns_about_a_csm_over_capacity(client, director, csm, client_org, settings):
    settings.ENGAGEMENT_CSM_CAPACITY = 1
    EngagementFactory.create_batch(2, csm=csm, client=client_org)
    client.force_login(director)
    body = client.get(reverse("portfolio:workload")).content.decode()
    assert "over the capacity of 1" in body and csm.full_name in body


# --- htmx inline updates -------------------------------------------------------------------------


def test_ticking_an_item_with_htmx_returns_its_row(client, csm, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement)
    client.force_login(csm)
    response = client.post(reverse("checklists:item", args=[item.pk]), {"status": "done"}, **HTMX)
    assert response.status_code == 200
    assert f'id="item-{item.pk}"' in response.content.decode()
    assert "<html" not in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE and item.completed_by == csm


def test_ticking_an_item_that_needs_evidence_explains_and_changes_nothing(client, csm, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement, evidence_required=Evidence.LINK)
    client.force_login(csm)
    response = client.post(reverse("checklists:item", args=[item.pk]), {"status": "done"}, **HTMX)
    assert "needs a link" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN


def test_reassigning_with_htmx(client, csm, pm, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement)
    client.force_login(csm)
    response = client.post(reverse("checklists:item", args=[item.pk]), {"assignee": pm.pk}, **HTMX)
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.assignee == pm


def test_reassigning_to_another_clients_person_is_refused(client, csm, engagement, other_client_user):
    item = ChecklistItemFactory(stage__engagement=engagement)
    client.force_login(csm)
    client.post(reverse("checklists:item", args=[item.pk]), {"assignee": other_client_user.pk}, **HTMX)
    item.refresh_from_db()
    assert item.assignee is None


def test_commenting_with_htmx_returns_the_comment_list(client, team_member, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement)
    client.force_login(team_member)
    response = client.post(reverse("checklists:item_comment", args=[item.pk]), {"body": "On it"}, **HTMX)
    assert response.status_code == 200 and "On it" in response.content.decode()
    assert 'id="comments"' in response.content.decode()


def test_the_item_page_without_htmx_is_a_full_page(client, csm, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement)
    client.force_login(csm)
    assert "<html" in client.get(reverse("checklists:item", args=[item.pk])).content.decode()


# --- Evidence ------------------------------------------------------------------------------------


def test_evidence_upload_and_access_checked_download(client, csm, engagement, other_csm, uploads):
    item = ChecklistItemFactory(stage__engagement=engagement, evidence_required=Evidence.FILE)
    client.force_login(csm)
    upload = SimpleUploadedFile("plan.txt", b"work plan v1\n", content_type="text/plain")
    response = client.post(reverse("checklists:item_complete", args=[item.pk]), {"evidence_file": upload})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE
    download = client.get(reverse("checklists:item_evidence", args=[item.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="plan.txt"')
    assert b"".join(download.streaming_content) == b"work plan v1\n"
    client.force_login(other_csm)
    assert client.get(reverse("checklists:item_evidence", args=[item.pk])).status_code == 404


def test_a_disguised_upload_is_refused_with_a_message(client, csm, engagement, uploads):
    item = ChecklistItemFactory(stage__engagement=engagement, evidence_required=Evidence.FILE)
    client.force_login(csm)
    upload = SimpleUploadedFile("plan.pdf", b"just text", content_type="application/pdf")
    response = client.post(reverse("checklists:item_complete", args=[item.pk]), {"evidence_file": upload}, follow=True)
    assert "not accepted" in response.content.decode() or "does not match" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN


# --- Vendor-internal data never reaches the client ---------------------------------------------------


def test_portal_never_shows_internal_comments_or_handoff(client, client_key_user, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement, client_side=True)
    ItemCommentFactory(item=item, internal=True)
    ItemCommentFactory(item=item, body="Please send the VPN form")
    HandoffFactory(engagement=engagement, political_dynamics="The CFO doubts the project.")
    client.force_login(client_key_user)
    page = client.get(reverse("portal:engagement", args=[engagement.pk])).content.decode()
    item_page = client.get(reverse("portal:item", args=[item.pk])).content.decode()
    assert "CFO doubts" not in page + item_page
    assert "Internal:" not in item_page
    assert "Please send the VPN form" in item_page


def test_portal_shows_only_reached_early_wins_and_who_stands_in(client, client_key_user, engagement, pm, deputy_pm):
    MilestoneFactory(
        engagement=engagement, early_win=True, title="First orders shipped", reached_on=timezone.localdate()
    )
    MilestoneFactory(engagement=engagement, early_win=True, title="Not yet reached")
    MilestoneFactory(engagement=engagement, title="Internal milestone", reached_on=timezone.localdate())
    PmAbsenceFactory(user=pm)
    client.force_login(client_key_user)
    page = client.get(reverse("portal:engagement", args=[engagement.pk])).content.decode()
    assert "First orders shipped" in page
    assert "Not yet reached" not in page and "Internal milestone" not in page
    assert f"standing in for {pm.full_name}" in page and deputy_pm.full_name in page


def test_client_profile_is_not_reachable_by_clients(client, client_key_user, engagement):
    from .factories import ClientProfileFactory

    profile = ClientProfileFactory(organization=engagement.client)
    client.force_login(client_key_user)
    assert client.get(reverse("engagements:client_detail", args=[profile.pk])).status_code == 404


# --- Portal flows -------------------------------------------------------------------------------


def test_client_completes_a_task_from_the_task_list(client, client_member, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement, client_side=True, title="Send the org chart")
    client.force_login(client_member)
    assert "Send the org chart" in client.get(reverse("portal:tasks")).content.decode()
    response = client.post(reverse("portal:item_complete", args=[item.pk]), {"next": "tasks"})
    assert response.status_code == 302 and response["Location"] == reverse("portal:tasks")
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE and item.completed_by == client_member


def test_vendor_items_are_not_client_tasks(client, client_member, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement, title="Our internal task")
    client.force_login(client_member)
    assert "Our internal task" not in client.get(reverse("portal:tasks")).content.decode()
    assert client.post(reverse("portal:item_complete", args=[item.pk])).status_code == 404


def test_key_user_accepts_then_scores(client, client_key_user, engagement):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    ChecklistItemFactory(stage=stage, done=True)
    client.force_login(client_key_user)
    client.post(reverse("portal:stage_decision", args=[stage.pk]), {"decision": "accepted"})
    stage.refresh_from_db()
    assert stage.accepted_at is not None
    question = SatisfactionScore.objects.get(engagement=engagement)
    page = client.get(reverse("portal:engagement", args=[engagement.pk])).content.decode()
    assert f'data-testid="satisfaction-{question.pk}"' in page
    client.post(reverse("portal:satisfaction", args=[question.pk]), {"score": "5", "comment": "Great start"})
    question.refresh_from_db()
    assert question.score == 5 and question.comment == "Great start"


def test_rejection_without_reason_shows_a_message_and_changes_nothing(client, client_key_user, engagement):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, accepted_at=timezone.now())
    client.force_login(client_key_user)
    response = client.post(reverse("portal:stage_decision", args=[stage.pk]), {"decision": "rejected"}, follow=True)
    assert "Tell us why" in response.content.decode()
    stage.refresh_from_db()
    assert stage.accepted_at is not None


# --- Staff flows ------------------------------------------------------------------------------------


def test_csm_creates_client_then_engagement(client, csm, pm, deputy_pm):
    client.force_login(csm)
    response = client.post(reverse("engagements:client_create"), {"name": "Umbrella Pharma", "industry": "Pharma"})
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert "Umbrella Pharma" in response.content.decode()
    org = response.context["profile"].organization
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


def test_applying_the_default_template_from_the_page(client, csm, engagement):
    client.force_login(csm)
    template = ChecklistTemplate.objects.get(name=DEFAULT_TEMPLATE_NAME)
    client.post(reverse("checklists:template_apply", args=[engagement.pk]), {"template": template.pk})
    assert ChecklistStage.objects.filter(engagement=engagement).count() == 5
    body = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    assert "Scope and obligations" in body and "Work-plan acceptance" in body


def test_phase_change_refused_before_handoff_shows_why(client, csm, engagement):
    engagement.phase = "handoff"
    engagement.save()
    client.force_login(csm)
    response = client.post(reverse("engagements:phase", args=[engagement.pk]), {"to": "kickoff"}, follow=True)
    assert "before the kickoff" in response.content.decode()


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


# --- Admin -----------------------------------------------------------------------------------------


def test_admin_creates_reorders_and_duplicates_a_template(client, vendor):
    admin = UserFactory(organization=vendor, vendor_admin=True, is_staff=True, is_superuser=True)
    client.force_login(admin)
    data = {
        "name": "Lean onboarding",
        "description": "",
        "stages-TOTAL_FORMS": "2",
        "stages-INITIAL_FORMS": "0",
        "stages-MIN_NUM_FORMS": "0",
        "stages-MAX_NUM_FORMS": "1000",
        "stages-0-position": "20",
        "stages-0-title": "Go live",
        "stages-1-position": "10",
        "stages-1-title": "Scope",
        "stages-1-client_acceptance_required": "on",
    }
    response = client.post(reverse("admin:checklists_checklisttemplate_add"), data)
    assert response.status_code == 302, [
        response.context["adminform"].form.errors,
        [f.errors for f in response.context["inline_admin_formsets"][0].formset.forms]
        if "inline_admin_formsets" in response.context
        else None,
    ]
    template = ChecklistTemplate.objects.get(name="Lean onboarding")
    assert list(template.stages.values_list("title", flat=True)) == ["Scope", "Go live"]
    scope = template.stages.get(title="Scope")
    item_data = {
        "template": template.pk,
        "title": "Scope",
        "description": "",
        "position": "30",
        "client_acceptance_required": "on",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-position": "10",
        "items-0-title": "Confirm scope",
        "items-0-owner_side": "client",
        "items-0-default_assignee_role": "key_user",
        "items-0-due_offset_days": "5",
        "items-0-due_from": "kickoff",
        "items-0-evidence_required": "none",
        "items-0-guidance": "",
    }
    response = client.post(reverse("admin:checklists_templatestage_change", args=[scope.pk]), item_data)
    assert response.status_code == 302, [
        response.context["adminform"].form.errors,
        [f.errors for f in response.context["inline_admin_formsets"][0].formset.forms]
        if "inline_admin_formsets" in response.context
        else None,
    ]
    # Reordered: Scope moved after Go live.
    assert list(template.stages.values_list("title", flat=True)) == ["Go live", "Scope"]
    assert TemplateItem.objects.get(stage=scope).title == "Confirm scope"
    response = client.post(
        reverse("admin:checklists_checklisttemplate_changelist"),
        {"action": "duplicate", "_selected_action": [template.pk]},
    )
    assert response.status_code == 302
    copy = ChecklistTemplate.objects.get(name="Lean onboarding (copy 1)")
    assert list(copy.stages.values_list("title", flat=True)) == ["Go live", "Scope"]
    assert TemplateStage.objects.get(template=copy, title="Scope").items.get().title == "Confirm scope"


def test_an_admin_made_template_applies(csm, engagement):

    template = ChecklistTemplate.objects.create(name="Tiny")
    stage = TemplateStage.objects.create(template=template, title="Only stage", position=1)
    TemplateItem.objects.create(stage=stage, title="Only item", due_offset_days=3, owner_side="client")
    engagement.kickoff_on = timezone.localdate()
    engagement.save()
    checklist_services.template_apply(by=csm, engagement=engagement, template=template)
    item = ChecklistItem.objects.get(stage__engagement=engagement)
    assert item.title == "Only item" and item.due_on == engagement.kickoff_on + timedelta(days=3)
    assert not ItemComment.objects.exists()


def test_marking_an_early_win_reached_shows_it_to_the_client(client, csm, client_key_user, engagement):
    milestone = MilestoneFactory(engagement=engagement, early_win=True, title="First orders shipped")
    client.force_login(client_key_user)
    assert "First orders shipped" not in client.get(reverse("portal:engagement", args=[engagement.pk])).content.decode()
    client.force_login(csm)
    client.post(reverse("engagements:milestone_reached", args=[milestone.pk]))
    milestone.refresh_from_db()
    assert milestone.reached_on == timezone.localdate()
    client.force_login(client_key_user)
    assert "First orders shipped" in client.get(reverse("portal:engagement", args=[engagement.pk])).content.decode()


def test_director_home_warns_about_over_capacity(client, director, csm, client_org, settings):
    settings.ENGAGEMENT_CSM_CAPACITY = 1
    EngagementFactory.create_batch(2, csm=csm, client=client_org)
    client.force_login(director)
    assert "over the capacity of 1" in client.get(reverse("home")).content.decode()
    client.force_login(csm)
    assert "over the capacity" not in client.get(reverse("home")).content.decode()


def test_item_history_reads_as_old_to_new(client, csm, pm, engagement):

    item = ChecklistItemFactory(stage__engagement=engagement)
    checklist_services.item_update(by=csm, item=item, assignee=pm)
    client.force_login(csm)
    body = client.get(reverse("checklists:item", args=[item.pk])).content.decode()
    assert f"assignee: — → {pm.full_name}" in body and "changed" in body


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


@pytest.mark.parametrize(
    "page",
    ["client_list", "client_detail", "stakeholders", "handoff", "portal_item", "portal_home", "absences"],
)
def test_other_pages_run_a_constant_number_of_queries(client, page, csm, client_key_user, engagement, client_org):
    from .factories import BillingRecordFactory, ClientProfileFactory, ObligationFactory

    profile = ClientProfileFactory(organization=client_org, csm=csm)
    item = ChecklistItemFactory(stage__engagement=engagement, client_side=True)
    urls = {
        "client_list": (csm, reverse("engagements:client_list")),
        "client_detail": (csm, reverse("engagements:client_detail", args=[profile.pk])),
        "stakeholders": (csm, reverse("engagements:stakeholders", args=[engagement.pk])),
        "handoff": (csm, reverse("engagements:handoff", args=[engagement.pk])),
        "portal_item": (client_key_user, reverse("portal:item", args=[item.pk])),
        "portal_home": (client_key_user, reverse("portal:home")),
        "absences": (csm, reverse("engagements:absences")),
    }
    user, url = urls[page]
    client.force_login(user)

    def grow():
        for _ in range(4):
            ClientProfileFactory(csm=csm)
            BillingRecordFactory(profile=profile)
            StakeholderFactory(engagement=engagement)
            ObligationFactory(engagement=engagement)
            ItemCommentFactory(item=item)
            EngagementFactory(client=client_org, csm=csm)
            PmAbsenceFactory(user=csm)

    grow()
    small = _queries(client, url)
    grow()
    assert _queries(client, url) == small


def test_the_team_reads_the_handoff_on_the_engagement_page(client, team_member, engagement):
    HandoffFactory(engagement=engagement, political_dynamics="The CFO doubts the project.")
    client.force_login(team_member)
    body = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    assert "The CFO doubts the project." in body
