from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.tests.factories import StaffAbsenceFactory
from checklists import selectors as checklist_selectors
from checklists import services as checklist_services
from checklists.default_template import DEFAULT_TEMPLATE_NAME
from checklists.models import (
    ChecklistItem,
    ChecklistStage,
    ChecklistTemplate,
    Decision,
    Evidence,
    ItemEvent,
    ItemStatus,
    SatisfactionReason,
    SatisfactionScore,
    StageAcceptance,
)
from checklists.services import items, templates
from engagements.models import Side
from engagements.tests.factories import EngagementFactory

from .factories import ChecklistItemFactory, ChecklistStageFactory, TemplateItemFactory, TemplateStageFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def reminder_calls(monkeypatch):
    calls = []
    for module in (items, templates):
        monkeypatch.setattr(module, "item_reminders_sync", lambda item, *, now=None: calls.append(item.pk))
    return calls


def default_template():
    return ChecklistTemplate.objects.get(name=DEFAULT_TEMPLATE_NAME)


# --- Templates --------------------------------------------------------------------------------------


def test_the_default_template_is_rebuilt_when_missing():
    shipped = [(s.title, list(s.items.values_list("title", "owner_side"))) for s in default_template().stages.all()]
    default_template().delete()
    rebuilt = checklist_services.template_default_ensure()
    assert rebuilt.is_default
    assert [(s.title, list(s.items.values_list("title", "owner_side"))) for s in rebuilt.stages.all()] == shipped
    assert checklist_services.template_default_ensure() == rebuilt


def test_the_default_template_ships_with_five_stages():
    template = default_template()
    assert template.is_default
    assert [s.title for s in template.stages.all()] == [
        "Scope and obligations",
        "Environments",
        "Documentation",
        "Quality assurance",
        "Work-plan acceptance",
    ]
    assert all(stage.items.exists() for stage in template.stages.all())


def test_applying_copies_stages_and_items_with_due_dates_and_assignees(
    csm, pm, engagement, client_key_user, reminder_calls
):
    engagement.kickoff_on = date(2026, 3, 2)
    engagement.save()
    stages = checklist_services.template_apply(by=csm, engagement=engagement, template=default_template())
    assert len(stages) == 5
    items = ChecklistItem.objects.filter(stage__engagement=engagement)
    assert items.count() == default_template().stages.values("items").count()
    first = items.get(title="Confirm services in scope")
    assert first.due_on == date(2026, 3, 5) and first.assignee == csm
    assert items.get(title="Set up test environment").assignee == pm
    assert items.get(title="Grant VPN and system access").assignee == client_key_user
    assert items.get(title="Grant VPN and system access").owner_side == Side.CLIENT
    assert sorted(reminder_calls) == sorted(items.values_list("pk", flat=True))
    assert ItemEvent.objects.filter(item__stage__engagement=engagement, action="created").count() == items.count()


def test_editing_a_template_later_never_changes_the_engagement(csm, engagement):
    template = TemplateStageFactory(title="Scope").template
    TemplateItemFactory(stage=template.stages.get(), title="Original")
    checklist_services.template_apply(by=csm, engagement=engagement, template=template)
    template.stages.update(title="Changed")
    TemplateItemFactory(stage=template.stages.get(), title="Added later")
    assert list(ChecklistStage.objects.filter(engagement=engagement).values_list("title", flat=True)) == ["Scope"]
    assert list(ChecklistItem.objects.filter(stage__engagement=engagement).values_list("title", flat=True)) == [
        "Original"
    ]


def test_a_template_is_not_applied_twice(csm, engagement):
    checklist_services.template_apply(by=csm, engagement=engagement, template=default_template())
    with pytest.raises(ValidationError, match="already has a checklist"):
        checklist_services.template_apply(by=csm, engagement=engagement, template=default_template())


def test_duplicating_a_template_copies_everything_but_the_default_flag():
    copy = checklist_services.template_duplicate(template=default_template())
    assert copy.name == f"{DEFAULT_TEMPLATE_NAME} (copy 1)" and not copy.is_default
    assert copy.stages.count() == 5
    assert ChecklistItem.objects.count() == 0
    original_items = list(default_template().stages.values_list("items__title", flat=True))
    assert list(copy.stages.values_list("items__title", flat=True)) == original_items
    assert checklist_services.template_duplicate(template=default_template()).name.endswith("(copy 2)")


# --- Items ------------------------------------------------------------------------------------------


def test_item_update_records_who_changed_what(csm, engagement, pm, reminder_calls):
    item = ChecklistItemFactory(stage__engagement=engagement)
    checklist_services.item_update(by=csm, item=item, assignee=pm, due_on=date(2026, 4, 1))
    event = ItemEvent.objects.get(item=item, action="updated")
    assert event.actor == csm
    assert event.changes["due_on"][1] == "2026-04-01"
    assert event.changes["assignee"] == [None, str(pm)]
    assert reminder_calls == [item.pk]


def test_item_update_without_changes_records_nothing(csm, engagement, reminder_calls):
    item = ChecklistItemFactory(stage__engagement=engagement)
    checklist_services.item_update(by=csm, item=item, status=item.status)
    assert not ItemEvent.objects.filter(item=item).exists() and reminder_calls == []


def test_items_needing_evidence_are_not_done_without_it(csm, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement, evidence_required=Evidence.FILE)
    with pytest.raises(ValidationError, match="file"):
        checklist_services.item_complete(by=csm, item=item)
    with pytest.raises(ValidationError, match="file"):
        checklist_services.item_update(by=csm, item=item, status=ItemStatus.DONE)
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN


def test_completing_with_a_file_stores_it_through_attachments(csm, engagement, settings, tmp_path, reminder_calls):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    item = ChecklistItemFactory(stage__engagement=engagement, evidence_required=Evidence.FILE)
    upload = SimpleUploadedFile("raci.pdf", PDF, content_type="application/pdf")
    done = checklist_services.item_complete(by=csm, item=item, evidence_file=upload)
    assert done.status == ItemStatus.DONE and done.completed_by == csm
    assert done.evidence_file.original_name == "raci.pdf"
    assert done.evidence_file.content_type == "application/pdf"
    assert reminder_calls == [item.pk]


def test_a_bad_file_changes_nothing(csm, engagement, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    item = ChecklistItemFactory(stage__engagement=engagement, evidence_required=Evidence.FILE)
    upload = SimpleUploadedFile("raci.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        checklist_services.item_complete(by=csm, item=item, evidence_file=upload)
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN and item.evidence_file is None


def test_clients_complete_only_their_own_side(client_key_user, engagement):
    vendor_item = ChecklistItemFactory(stage__engagement=engagement)
    client_item = ChecklistItemFactory(stage__engagement=engagement, client_side=True)
    with pytest.raises(PermissionDenied):
        checklist_services.item_complete(by=client_key_user, item=vendor_item)
    assert checklist_services.item_complete(by=client_key_user, item=client_item).status == ItemStatus.DONE


def test_another_client_cannot_touch_the_item(other_client_user, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement, client_side=True)
    with pytest.raises(PermissionDenied):
        checklist_services.item_complete(by=other_client_user, item=item)
    with pytest.raises(PermissionDenied):
        checklist_services.item_comment_add(by=other_client_user, item=item, body="hi")


def test_reopening_clears_completion(csm, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement, done=True, completed_by=csm)
    checklist_services.item_update(by=csm, item=item, status=ItemStatus.OPEN)
    item.refresh_from_db()
    assert item.completed_at is None and item.completed_by is None


def test_delete_and_move_are_for_managers(csm, team_member, engagement, reminder_calls):
    stage = ChecklistStageFactory(engagement=engagement)
    first, second = ChecklistItemFactory(stage=stage, position=10), ChecklistItemFactory(stage=stage, position=20)
    with pytest.raises(PermissionDenied):
        checklist_services.item_move(by=team_member, item=second, direction="up")
    checklist_services.item_move(by=csm, item=second, direction="up")
    assert list(stage.items.values_list("pk", flat=True)) == [second.pk, first.pk]
    first_pk = first.pk
    checklist_services.item_delete(by=csm, item=first)
    assert reminder_calls == [first_pk]
    assert list(stage.items.values_list("pk", flat=True)) == [second.pk]


def test_item_create_appends_and_syncs_reminders(csm, engagement, reminder_calls):
    stage = ChecklistStageFactory(engagement=engagement)
    ChecklistItemFactory(stage=stage, position=50)
    item = checklist_services.item_create(by=csm, stage=stage, title="Extra", owner_side=Side.CLIENT)
    assert item.position == 60 and reminder_calls == [item.pk]
    with pytest.raises(ValidationError):
        checklist_services.item_create(by=csm, stage=stage, title="  ")


def test_client_comments_are_never_internal(client_key_user, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement, client_side=True)
    comment = checklist_services.item_comment_add(
        by=client_key_user, item=item, body="Done on our side", is_internal=True
    )
    assert not comment.is_internal


def test_empty_comment_is_refused(csm, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement)
    with pytest.raises(ValidationError):
        checklist_services.item_comment_add(by=csm, item=item, body="   ")


# --- Acceptance -------------------------------------------------------------------------------------


def test_key_user_accepts_a_finished_stage_and_is_asked_for_satisfaction(client_key_user, engagement):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    ChecklistItemFactory(stage=stage, done=True, title="Scope signed")
    now = timezone.now()
    acceptance = checklist_services.acceptance_decide(
        by=client_key_user, engagement=engagement, stage=stage, decision=Decision.ACCEPTED, now=now
    )
    stage.refresh_from_db()
    assert stage.accepted_at == now
    assert acceptance.decided_by == client_key_user
    assert acceptance.snapshot["stages"][0]["items"][0]["title"] == "Scope signed"
    assert SatisfactionScore.objects.get(acceptance=acceptance).score is None


def test_a_stage_with_open_items_cannot_be_accepted(client_key_user, engagement):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    ChecklistItemFactory(stage=stage)
    with pytest.raises(ValidationError, match="open items"):
        checklist_services.acceptance_decide(
            by=client_key_user, engagement=engagement, stage=stage, decision=Decision.ACCEPTED
        )


def test_rejection_needs_a_reason_and_reopens_the_stage(client_key_user, engagement):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, accepted_at=timezone.now())
    ChecklistItemFactory(stage=stage, done=True)
    with pytest.raises(ValidationError, match="why"):
        checklist_services.acceptance_decide(
            by=client_key_user, engagement=engagement, stage=stage, decision=Decision.REJECTED
        )
    checklist_services.acceptance_decide(
        by=client_key_user, engagement=engagement, stage=stage, decision=Decision.REJECTED, reason="Dates unrealistic"
    )
    stage.refresh_from_db()
    assert stage.accepted_at is None
    assert not SatisfactionScore.objects.exists()


def test_only_the_key_user_decides(client_member, csm, engagement):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    for person in (client_member, csm):
        with pytest.raises(PermissionDenied):
            checklist_services.acceptance_decide(
                by=person, engagement=engagement, stage=stage, decision=Decision.ACCEPTED
            )


def test_the_accepted_work_plan_is_the_baseline_for_changes(client_key_user, csm, engagement):
    stage = ChecklistStageFactory(engagement=engagement)
    kept = ChecklistItemFactory(stage=stage, title="Kept", due_on=date(2026, 3, 1))
    gone = ChecklistItemFactory(stage=stage, title="Gone")
    checklist_services.acceptance_decide(by=client_key_user, engagement=engagement, decision=Decision.ACCEPTED)
    checklist_services.item_update(by=csm, item=kept, due_on=date(2026, 3, 8))
    checklist_services.item_delete(by=csm, item=gone)
    checklist_services.item_create(by=csm, stage=stage, title="New")
    page = checklist_selectors.checklist_overview(engagement=engagement, user=engagement.csm)
    kinds = {(c["kind"], c["title"]) for c in page.baseline_changes}
    assert kinds == {("redated", "Kept"), ("removed", "Gone"), ("added", "New")}
    assert page.baseline.is_work_plan


def test_satisfaction_answer_once(client_key_user, engagement):
    request = SatisfactionScore.objects.create(engagement=engagement, reason=SatisfactionReason.DAY_30)
    checklist_services.satisfaction_answer(by=client_key_user, question=request, score=2, comment="Slow")
    with pytest.raises(ValidationError):
        checklist_services.satisfaction_answer(by=client_key_user, question=request, score=5)
    with pytest.raises(ValidationError):
        checklist_services.satisfaction_answer(
            by=client_key_user,
            question=SatisfactionScore.objects.create(engagement=engagement, reason="acceptance"),
            score=9,
        )


def test_another_client_cannot_answer(other_client_user, engagement):
    question = SatisfactionScore.objects.create(engagement=engagement, reason=SatisfactionReason.DAY_30)
    with pytest.raises(PermissionDenied):
        checklist_services.satisfaction_answer(by=other_client_user, question=question, score=1)


def test_day_30_question_is_asked_once(engagement):
    engagement.kickoff_on = timezone.localdate() - timedelta(days=31)
    engagement.save()
    EngagementFactory(kickoff_on=timezone.localdate() - timedelta(days=5))
    checklist_services.satisfaction_ask_day30()
    checklist_services.satisfaction_ask_day30()
    assert SatisfactionScore.objects.filter(reason=SatisfactionReason.DAY_30).count() == 1
    assert SatisfactionScore.objects.get().engagement == engagement


def test_day_30_question_is_mailed_to_the_key_user_once(engagement, client_key_user, client_member, mailoutbox):
    from notifications.models import Channel, Notification
    from notifications.services import notification_relay

    engagement.kickoff_on = timezone.localdate() - timedelta(days=31)
    engagement.save()
    checklist_services.satisfaction_ask_day30()
    checklist_services.satisfaction_ask_day30()
    notes = Notification.objects.filter(event=f"engagement.satisfaction_day30:{engagement.pk}")
    assert {(n.recipient, n.channel) for n in notes} == {
        (client_key_user, Channel.EMAIL),
        (client_key_user, Channel.IN_APP),
    }
    notification_relay()
    assert [m.to for m in mailoutbox] == [[client_key_user.email]]
    assert "30 days" in mailoutbox[0].subject
    assert f"/portal/engagements/{engagement.pk}/" in mailoutbox[0].body


def test_acceptance_history_is_kept(client_key_user, engagement):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    ChecklistItemFactory(stage=stage, done=True)
    checklist_services.acceptance_decide(
        by=client_key_user, engagement=engagement, stage=stage, decision=Decision.ACCEPTED
    )
    checklist_services.acceptance_decide(
        by=client_key_user, engagement=engagement, stage=stage, decision=Decision.REJECTED, reason="Found a gap"
    )
    assert StageAcceptance.objects.filter(stage=stage).count() == 2


def test_pm_work_goes_to_the_deputy_while_the_pm_is_away_and_back_on_return(csm, pm, deputy_pm, engagement):
    """Hand-worked: the PM is away for four days from the day the template is applied. Their items are the PM's
    (stored so), the deputy finds them under "Handed to you as deputy" on each of those days, and on the fifth day
    they are the PM's again ("yours again"), with nothing left on the deputy's list."""
    from checklists import work

    now = timezone.now()
    first = timezone.localdate(now)
    StaffAbsenceFactory(user=pm, starts_on=first, ends_on=first + timedelta(days=3))
    checklist_services.template_apply(by=csm, engagement=engagement, template=default_template(), now=now)
    item = ChecklistItem.objects.get(stage__engagement=engagement, title="Set up test environment")
    assert item.assignee == pm
    for day in range(4):
        handed = work.handed_over(user=deputy_pm, today=first + timedelta(days=day), limit=100)
        assert item.title in [entry.title for entry in handed.entries]
    back = first + timedelta(days=4)
    assert item.title not in [e.title for e in work.handed_over(user=deputy_pm, today=back, limit=100).entries]
    returned = work.handed_back(user=pm, today=back, limit=100)
    assert (item.title, "yours again") in [(entry.title, entry.note) for entry in returned.entries]


def test_the_contract_with_the_notifications_app_holds():
    """Names the notifications app (issue 4) relies on: keep them stable."""
    import inspect

    from checklists import reminders

    assert ChecklistStage._meta.get_field("engagement").remote_field.related_name == "stages"
    assert ChecklistItem._meta.get_field("stage").remote_field.related_name == "items"
    for name in ("title", "owner_side", "assignee", "due_on", "status", "completed_at"):
        ChecklistItem._meta.get_field(name)
    assert (Side.VENDOR.value, Side.CLIENT.value) == ("vendor", "client")
    assert (ItemStatus.OPEN.value, ItemStatus.DONE.value) == ("open", "done")
    assert hasattr(ChecklistItem.objects, "open") and hasattr(ChecklistItem.objects, "visible_to")
    assert list(inspect.signature(reminders.item_reminders_sync).parameters) == ["item", "now"]
