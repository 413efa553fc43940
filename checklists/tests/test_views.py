from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
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
)

pytestmark = pytest.mark.django_db


HTMX = {"HTTP_HX_REQUEST": "true"}


def test_item_page_queries_do_not_grow_with_comments(page_queries, client, csm, engagement):
    client.force_login(csm)
    item = ChecklistItemFactory(stage__engagement=engagement)
    ItemCommentFactory(item=item)
    url = reverse("checklists:item", args=[item.pk])
    small = page_queries(client, url)
    for _ in range(10):
        ItemCommentFactory(item=item)
    assert page_queries(client, url) == small


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
    assert f'id="comments-{item.pk}"' in response.content.decode()


def test_the_item_page_without_htmx_is_a_full_page(client, csm, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement)
    client.force_login(csm)
    assert "<html" in client.get(reverse("checklists:item", args=[item.pk])).content.decode()


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


def test_applying_the_default_template_from_the_page(client, csm, engagement):
    client.force_login(csm)
    template = ChecklistTemplate.objects.get(name=DEFAULT_TEMPLATE_NAME)
    client.post(reverse("checklists:template_apply", args=[engagement.pk]), {"template": template.pk})
    assert ChecklistStage.objects.filter(engagement=engagement).count() == 5
    body = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    assert "Scope and obligations" in body and "Work-plan acceptance" in body


def test_admin_creates_reorders_and_duplicates_a_template(client, vendor):
    admin = UserFactory(organization=vendor, vendor_admin=True, is_staff=True, is_superuser=True)
    client.force_login(admin)
    data = {
        "name": "Lean onboarding",
        "language": "en",
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
        # The items of each stage, on the same page (nested inlines).
        "stages-0-items-TOTAL_FORMS": "0",
        "stages-0-items-INITIAL_FORMS": "0",
        "stages-0-items-MIN_NUM_FORMS": "0",
        "stages-0-items-MAX_NUM_FORMS": "1000",
        "stages-1-items-TOTAL_FORMS": "1",
        "stages-1-items-INITIAL_FORMS": "0",
        "stages-1-items-MIN_NUM_FORMS": "0",
        "stages-1-items-MAX_NUM_FORMS": "1000",
        "stages-1-items-0-position": "10",
        "stages-1-items-0-title": "Agree the scope",
        "stages-1-items-0-owner_side": "vendor",
        "stages-1-items-0-default_assignee_role": "csm",
        "stages-1-items-0-due_offset_days": "3",
        "stages-1-items-0-duration_days": "1",
        "stages-1-items-0-due_from": "kickoff",
        "stages-1-items-0-evidence_required": "none",
        "stages-1-items-0-closes_with": "",
        "stages-1-items-0-guidance": "",
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
    assert list(scope.items.values_list("title", flat=True)) == ["Agree the scope"]
    TemplateItem.objects.filter(stage=scope).delete()
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
        "items-0-duration_days": "1",
        "items-0-due_from": "kickoff",
        "items-0-evidence_required": "none",
        "items-0-closes_with": "",
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


def test_item_history_reads_as_old_to_new(client, csm, pm, engagement):

    item = ChecklistItemFactory(stage__engagement=engagement)
    checklist_services.item_update(by=csm, item=item, assignee=pm)
    client.force_login(csm)
    body = client.get(reverse("checklists:item", args=[item.pk])).content.decode()
    assert f"Assignee: — → {pm.full_name}" in body and "changed" in body


def test_the_evidence_file_is_picked_in_the_readers_language(client, csm, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement)
    csm.language = "pl"
    csm.save(update_fields=["language"])
    client.force_login(csm)
    page = client.get(reverse("checklists:item", args=[item.pk])).content.decode()
    assert 'type="file" name="evidence_file"' in page and 'id="evidence_file"' in page
    assert 'aria-describedby="evidence_file_help evidence_file_status"' in page
    assert ">Wybierz plik</label>" in page and ">Nie wybrano pliku</span>" in page
