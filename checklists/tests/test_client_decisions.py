"""The client's decisions, tasks, comments and scores (issue 10)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from checklists import services
from checklists.models import Decision, ItemCompletion, ItemEvent, ItemStatus
from checklists.reminders import COMMENTS_CATEGORY, DECISIONS_CATEGORY
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory, SatisfactionScoreFactory
from engagements.tests.factories import StakeholderFactory
from notifications.models import Channel, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(engagement, client_key_user):
    """A work plan with a stage to accept and the "accept the work plan" task; the key user is linked."""
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user)
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title="Work-plan acceptance")
    ChecklistItemFactory(stage=stage, title="Present the work plan", done=True)
    task = ChecklistItemFactory(
        stage=stage,
        title="Accept the work plan",
        client_side=True,
        assignee=client_key_user,
        closes_with=ItemCompletion.WORK_PLAN,
    )
    return stage, task


def _portal(client, user, engagement):
    client.force_login(user)
    return client.get(reverse("portal:engagement", args=[engagement.pk])).content.decode()


def test_accept_is_offered_only_when_possible(client, client_key_user, engagement, plan):
    stage, task = plan
    body = _portal(client, client_key_user, engagement)
    # The stage stands for the work plan: no accept button of its own, a pointer to the work plan instead.
    assert f'data-testid="accept-stage-{stage.pk}"' not in body
    assert "You accept this stage when you accept the work plan:" in body
    assert 'data-testid="accept-work-plan"' in body


def test_accepting_the_work_plan_closes_its_task_and_shows_the_decision(client, client_key_user, engagement, plan):
    stage, task = plan
    client.force_login(client_key_user)
    client.post(reverse("portal:work_plan_decision", args=[engagement.pk]), {"decision": "accepted"})
    task.refresh_from_db()
    assert task.status == ItemStatus.DONE and task.completed_by == client_key_user
    assert ItemEvent.objects.filter(item=task, action="completed").exists()
    body = _portal(client, client_key_user, engagement)
    card = body.split('data-testid="work-plan-decision"')[1].split("</section>")[0]
    assert "accepted the work plan on" in card and 'data-testid="accept-work-plan"' not in card
    # One decision: the work-plan stage is accepted with the work plan and shows it, not a second pair of buttons.
    stage.refresh_from_db()
    assert stage.accepted_at is not None
    stage_card = body.split(f'id="stage-{stage.pk}"')[1].split("</section>")[0]
    assert f'data-testid="stage-accepted-{stage.pk}"' in stage_card
    assert "Accepted with the work plan by" in stage_card
    assert f'data-testid="accept-stage-{stage.pk}"' not in stage_card and "awaiting your acceptance" not in stage_card


def test_the_work_plan_stage_is_not_decided_on_its_own(client_key_user, engagement, plan):
    stage, task = plan
    with pytest.raises(ValidationError, match="decided with the work plan"):
        services.acceptance_decide(
            by=client_key_user, engagement=engagement, stage=stage, decision=Decision.REJECTED, reason="No"
        )
    stage.refresh_from_db()
    assert stage.accepted_at is None and not stage.acceptances.exists()


def test_a_second_acceptance_of_the_same_plan_is_refused(client_key_user, engagement, plan):
    services.acceptance_decide(by=client_key_user, engagement=engagement, decision=Decision.ACCEPTED)
    with pytest.raises(ValidationError):
        services.acceptance_decide(by=client_key_user, engagement=engagement, decision=Decision.ACCEPTED)


def test_rejecting_the_work_plan_reopens_its_task(client_key_user, engagement, plan):
    stage, task = plan
    services.acceptance_decide(by=client_key_user, engagement=engagement, decision=Decision.ACCEPTED)
    # The plan changes (a new item), so the client decides again and rejects.
    ChecklistItemFactory(stage=stage, title="Extra workshop")
    services.acceptance_decide(
        by=client_key_user, engagement=engagement, decision=Decision.REJECTED, reason="Workshop not agreed"
    )
    task.refresh_from_db()
    assert task.status == ItemStatus.OPEN
    assert ItemEvent.objects.filter(item=task, action="reopened").exists()
    # The work-plan stage's acceptance follows the plan's: it awaits the client's next decision again.
    stage.refresh_from_db()
    assert stage.accepted_at is None


def test_the_client_cannot_tick_the_acceptance_task_by_hand(client_key_user, plan):
    stage, task = plan
    with pytest.raises(ValidationError):
        services.item_complete(by=client_key_user, item=task)


def test_decisions_ask_for_a_confirmation(client, client_key_user, engagement, plan):
    body = _portal(client, client_key_user, engagement)
    accept = body.split('data-testid="accept-work-plan"')[1].split(">")[0]
    assert 'data-confirm="Accept the work plan?' in accept
    assert 'data-confirm="Reject the work plan?' in body


def test_a_client_reopens_a_task_marked_done_by_mistake(client, client_key_user, engagement):
    item = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), client_side=True, title="Send logo")
    services.item_complete(by=client_key_user, item=item)
    client.force_login(client_key_user)
    page = client.get(reverse("portal:item", args=[item.pk])).content.decode()
    assert 'data-testid="portal-reopen"' in page
    client.post(reverse("portal:item_reopen", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN and item.completed_by is None
    event = ItemEvent.objects.filter(item=item).last()
    assert (event.action, event.actor) == ("reopened", client_key_user)


def test_an_accepted_stages_task_is_not_reopened_by_the_client(client_key_user, engagement):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    item = ChecklistItemFactory(stage=stage, client_side=True)
    services.item_complete(by=client_key_user, item=item)
    services.acceptance_decide(by=client_key_user, engagement=engagement, stage=stage, decision=Decision.ACCEPTED)
    item.refresh_from_db()
    with pytest.raises(ValidationError):
        services.item_reopen(by=client_key_user, item=item)


def test_the_satisfaction_scale_is_labelled_and_enter_sends_no_score(client, client_key_user, engagement):
    question = SatisfactionScoreFactory(engagement=engagement)
    body = _portal(client, client_key_user, engagement)
    card = body.split(f'data-testid="satisfaction-{question.pk}"')[1].split("</form>")[0]
    assert "1 = very dissatisfied" in card and "5 = very satisfied" in card
    # The form's first (default) button is disabled, so Enter in the comment submits nothing; the comment is a
    # textarea anyway.
    first_button = card.split("<button")[1]
    assert "disabled" in first_button.split(">")[0]
    assert "<textarea" in card


def test_a_score_that_changes_health_says_so(client_key_user, engagement, csm, pm):
    question = SatisfactionScoreFactory(engagement=engagement)
    services.satisfaction_answer(by=client_key_user, question=question, score=2, comment="Slow answers")
    told = Notification.objects.filter(channel=Channel.IN_APP, category=DECISIONS_CATEGORY)
    assert {n.recipient for n in told} == {csm, pm}
    subject = told.first().subject
    assert "Off track" in subject and "satisfaction score of 2/5" in subject


def test_a_good_score_that_changes_nothing_tells_nobody(client_key_user, engagement):
    question = SatisfactionScoreFactory(engagement=engagement)
    services.satisfaction_answer(by=client_key_user, question=question, score=5)
    assert not Notification.objects.filter(category=DECISIONS_CATEGORY).exists()


def test_the_engagement_page_says_the_health_came_from_the_score(client, client_key_user, engagement, csm):
    services.satisfaction_answer(by=client_key_user, question=SatisfactionScoreFactory(engagement=engagement), score=2)
    client.force_login(csm)
    body = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    assert "the client&#x27;s latest satisfaction score is 2 of 5" in body


def test_a_client_comment_tells_the_assignee_and_the_csm(client_key_user, engagement, csm, team_member):
    item = ChecklistItemFactory(
        stage=ChecklistStageFactory(engagement=engagement), client_side=True, assignee=team_member
    )
    services.item_comment_add(by=client_key_user, item=item, body="Is the VPN ready?")
    told = Notification.objects.filter(channel=Channel.IN_APP, category=COMMENTS_CATEGORY)
    assert {n.recipient for n in told} == {csm, team_member}
    assert told.first().url.endswith("#comments")


def test_the_teams_answer_tells_the_client_person_assigned(client_key_user, engagement, csm):
    item = ChecklistItemFactory(
        stage=ChecklistStageFactory(engagement=engagement), client_side=True, assignee=client_key_user
    )
    services.item_comment_add(by=csm, item=item, body="Ready tomorrow")
    services.item_comment_add(by=csm, item=item, body="Internal only", is_internal=True)
    told = Notification.objects.filter(channel=Channel.IN_APP, category=COMMENTS_CATEGORY)
    assert [n.recipient for n in told] == [client_key_user]


def test_client_tasks_show_the_same_person_on_both_sides(client, client_key_user, client_member, engagement, csm):
    item = ChecklistItemFactory(
        stage=ChecklistStageFactory(engagement=engagement), client_side=True, assignee=client_member
    )
    client.force_login(client_key_user)
    portal = client.get(reverse("portal:tasks")).content.decode()
    assert f"assigned to {client_member.full_name}" in portal
    client.force_login(client_member)
    assert "assigned to you" in client.get(reverse("portal:tasks")).content.decode()
    client.force_login(csm)
    staff = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    row = staff.split(f'id="item-{item.pk}" data-testid')[1].split("</li>")[0]
    assert f'<option value="{client_member.pk}" selected>{client_member.full_name}</option>' in row


def test_a_wrong_evidence_link_keeps_what_was_typed_and_names_no_field(client, client_key_user, engagement):
    item = ChecklistItemFactory(
        stage=ChecklistStageFactory(engagement=engagement), client_side=True, evidence_required="link"
    )
    client.force_login(client_key_user)
    body = client.post(
        reverse("portal:item_complete", args=[item.pk]), {"evidence_link": "not a link"}
    ).content.decode()
    assert "Enter a valid URL." in body and 'value="not a link"' in body
    assert "evidence_link:" not in body and "* evidence_link" not in body
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN


def test_the_staff_item_page_keeps_a_wrong_link_too(client, csm, engagement):
    item = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), evidence_required="link")
    client.force_login(csm)
    body = client.post(reverse("checklists:item_complete", args=[item.pk]), {"evidence_link": "nope"}).content.decode()
    assert "Enter a valid URL." in body and 'value="nope"' in body and "is-invalid" in body


def test_every_task_in_the_list_says_mark_done(client, client_key_user, engagement):
    stage = ChecklistStageFactory(engagement=engagement)
    tick = ChecklistItemFactory(stage=stage, client_side=True, title="Send the org chart")
    upload = ChecklistItemFactory(stage=stage, client_side=True, title="Sign the RACI", evidence_required="file")
    client.force_login(client_key_user)
    body = client.get(reverse("portal:tasks")).content.decode()
    for task in (tick, upload):
        action = body.split(f'data-testid="complete-{task.pk}">')[1].split("<")[0]
        assert action == "Mark done"
    assert ">Complete<" not in body


def test_a_task_that_needs_a_file_asks_for_one_with_the_translated_picker(client, client_key_user, engagement):
    stage = ChecklistStageFactory(engagement=engagement)
    task = ChecklistItemFactory(stage=stage, client_side=True, title="Sign the RACI", evidence_required="file")
    client.force_login(client_key_user)
    body = client.get(reverse("portal:item", args=[task.pk])).content.decode()
    picker = body.split('<div class="file-picker">')[1].split("</div>")[0]
    assert 'type="file" name="evidence_file"' in picker and " required" in picker
    assert ">Choose a file</label>" in picker and ">No file chosen</span>" in picker
    # Without a file the service refuses, and the page says so next to the picker (the browser keeps no file).
    body = client.post(reverse("portal:item_complete", args=[task.pk]), {}).content.decode()
    assert '<div class="file-picker is-invalid">' in body and 'aria-invalid="true"' in body
    assert "This item needs a file as evidence" in body
