"""One inbox per person (issue 10): "My work" across engagements, from the lists the apps register; the deputy's
banner and notices; the hand-over and hand-back lists."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.tests.factories import StaffAbsenceFactory, UserFactory
from checklists import services as checklist_services
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory, ItemCommentFactory
from engagements import cover, work
from engagements.tests.factories import EngagementFactory
from notifications.models import Channel, Notification, Reminder, ReminderStatus
from notifications.services import reminder_sweep

pytestmark = pytest.mark.django_db


def _lists(client, user):
    client.force_login(user)
    response = client.get(reverse("portfolio:my_work"))
    assert response.status_code == 200
    return response.content.decode()


def test_items_assigned_to_me_due_soon_or_overdue(client, csm, engagement):
    stage = ChecklistStageFactory(engagement=engagement)
    ChecklistItemFactory(stage=stage, assignee=csm, overdue=True, title="Late for me")
    ChecklistItemFactory(stage=stage, assignee=csm, title="Due next week")
    ChecklistItemFactory(stage=stage, assignee=csm, title="Far away", due_on=timezone.localdate() + timedelta(days=40))
    ChecklistItemFactory(stage=stage, assignee=csm, done=True, title="Done already")
    body = _lists(client, csm)
    section = body.split('data-testid="work-checklists.assigned"')[1].split("</section>")[0]
    assert "Late for me" in section and "Due next week" in section
    assert "Far away" not in section and "Done already" not in section
    assert "overdue" in section


def test_a_list_with_nothing_in_it_is_left_out_unless_it_always_shows(client, team_member):
    body = _lists(client, team_member)
    assert "Nothing of yours is due in the coming week." in body
    assert "Handed to you as deputy" not in body


def test_items_handed_to_the_deputy_while_the_pm_is_away(client, engagement, pm, deputy_pm):
    stage = ChecklistStageFactory(engagement=engagement)
    ChecklistItemFactory(stage=stage, assignee=pm, title="Sign the scope")
    ChecklistItemFactory(stage=stage, assignee=deputy_pm, title="Deputy's own")
    assert "Sign the scope" not in _lists(client, deputy_pm)
    StaffAbsenceFactory(user=pm, starts_on=timezone.localdate(), ends_on=timezone.localdate() + timedelta(days=3))
    body = _lists(client, deputy_pm)
    section = body.split('data-testid="work-checklists.handed_over"')[1].split("</section>")[0]
    assert "Sign the scope" in section and f"for {pm.full_name}, away until" in section
    assert "Deputy's own" not in section


def test_after_the_absence_the_pm_finds_what_was_handed_back(client, engagement, pm, deputy_pm):
    today = timezone.localdate()
    StaffAbsenceFactory(user=pm, starts_on=today - timedelta(days=6), ends_on=today - timedelta(days=1))
    stage = ChecklistStageFactory(engagement=engagement)
    ChecklistItemFactory(stage=stage, assignee=pm, title="Still open")
    done = ChecklistItemFactory(stage=stage, assignee=pm, title="Closed by the deputy")
    done.status, done.completed_by, done.completed_at = "done", deputy_pm, timezone.now() - timedelta(days=2)
    done.save()
    body = _lists(client, pm)
    section = body.split('data-testid="work-checklists.handed_back"')[1].split("</section>")[0]
    assert "Still open" in section and "yours again" in section
    assert "Closed by the deputy" in section and f"done by {deputy_pm.full_name}" in section


def test_client_questions_wait_until_someone_answers(client, engagement, csm, client_key_user):
    item = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), client_side=True, title="VPN")
    checklist_services.item_comment_add(by=client_key_user, item=item, body="Which port do you need?")
    body = _lists(client, csm)
    assert "Which port do you need?" in body and "Client comments and questions" in body
    checklist_services.item_comment_add(by=csm, item=item, body="Asking the network team", is_internal=True)
    assert "Which port do you need?" in _lists(client, csm)  # an internal note is no answer
    checklist_services.item_comment_add(by=csm, item=item, body="Port 443, thanks")
    assert "Which port do you need?" not in _lists(client, csm)


def test_stages_awaiting_the_client(client, engagement, pm):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title="Environments")
    item = ChecklistItemFactory(stage=stage)
    assert "Environments" not in _lists(client, pm)
    item.status = "done"
    item.save()
    assert "Environments" in _lists(client, pm).split("Stages awaiting the client")[1]


def test_a_list_registered_by_another_app_shows_with_the_others(client, csm, monkeypatch):
    """How governance and escalations add their action items, promises and red flags."""
    monkeypatch.setattr(work, "_lists", dict(work._lists))
    work.register_list(
        work.WorkList(
            "governance.action_items",
            "Action items from meetings",
            lambda *, user, today, limit: work.WorkResult(
                entries=[work.WorkEntry(title="Send the minutes", url="/x/", due_on=today)], total=3
            ),
            position=50,
        )
    )
    body = _lists(client, csm)
    assert "Action items from meetings" in body and "Send the minutes" in body and "and 2 more" in body


def test_my_work_queries_do_not_grow_with_data(client, page_queries, csm, pm, deputy_pm, client_key_user, engagement):
    def grow(n):
        for _ in range(n):
            other = EngagementFactory(client=engagement.client, csm=csm, pm=pm, deputy_pm=deputy_pm)
            stage = ChecklistStageFactory(engagement=other, needs_acceptance=True)
            for _ in range(3):
                item = ChecklistItemFactory(stage=stage, assignee=csm, overdue=True, client_side=True)
                ItemCommentFactory(item=item, author=client_key_user)

    client.force_login(csm)
    grow(1)
    small = page_queries(client, reverse("portfolio:my_work"))
    grow(6)
    from portfolio import figures

    figures.forget()
    assert page_queries(client, reverse("portfolio:my_work")) == small


# --- The deputy's banner and notices ---------------------------------------------------------------------------


def test_the_deputy_sees_whom_they_stand_in_for(client, engagement, pm, deputy_pm):
    until = timezone.localdate() + timedelta(days=4)
    StaffAbsenceFactory(user=pm, starts_on=timezone.localdate(), ends_on=until)
    client.force_login(deputy_pm)
    body = client.get(reverse("home")).content.decode()
    assert f"You are standing in for {pm.full_name} until {until:%-d %b}." in body
    assert 'data-testid="cover-banner"' in body


def test_the_pm_back_sees_who_stood_in(client, engagement, pm, deputy_pm):
    today = timezone.localdate()
    StaffAbsenceFactory(user=pm, starts_on=today - timedelta(days=5), ends_on=today - timedelta(days=1))
    client.force_login(pm)
    body = client.get(reverse("home")).content.decode()
    assert f"Welcome back: {deputy_pm.full_name} stood in for you until" in body


def test_nobody_else_sees_the_banner(client, engagement, pm, csm):
    StaffAbsenceFactory(user=pm, starts_on=timezone.localdate(), ends_on=timezone.localdate() + timedelta(days=2))
    client.force_login(csm)
    assert 'data-testid="cover-banner"' not in client.get(reverse("home")).content.decode()


def test_the_deputy_is_told_when_the_absence_starts_and_both_when_it_ends(engagement, pm, deputy_pm):
    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), assignee=pm)
    now = timezone.now()
    today = timezone.localdate()
    absence = account_services.staff_absence_record(
        by=pm, user=pm, starts_on=today + timedelta(days=2), ends_on=today + timedelta(days=5), now=now
    )
    start, end = (Reminder.objects.get(key=key) for key in cover._keys(absence.pk))
    assert start.kind == cover.START_KIND and end.kind == cover.END_KIND
    reminder_sweep(now=start.due_at + timedelta(minutes=1))
    told = Notification.objects.get(recipient=deputy_pm, channel=Channel.IN_APP)
    assert pm.full_name in told.subject and told.url.endswith("#checklists-handed-over")
    assert told.context["open_items"] == 1
    reminder_sweep(now=end.due_at + timedelta(minutes=1))
    assert Notification.objects.filter(recipient=pm, channel=Channel.IN_APP, template__endswith="cover_end_pm").exists()
    assert Notification.objects.filter(
        recipient=deputy_pm, channel=Channel.IN_APP, template__endswith="cover_end_deputy"
    ).exists()


def test_a_changed_absence_moves_its_notices_and_a_cancelled_one_cancels_them(engagement, pm, deputy_pm):
    today = timezone.localdate()
    absence = account_services.staff_absence_record(
        by=pm, user=pm, starts_on=today + timedelta(days=2), ends_on=today + timedelta(days=5)
    )
    start_key, end_key = cover._keys(absence.pk)
    before = Reminder.objects.get(key=start_key).due_at
    account_services.staff_absence_update(by=pm, absence=absence, starts_on=today + timedelta(days=3))
    assert Reminder.objects.get(key=start_key).due_at == before + timedelta(days=1)
    account_services.staff_absence_cancel(by=pm, absence=absence)
    assert set(Reminder.objects.filter(key__in=[start_key, end_key]).values_list("status", flat=True)) == {
        ReminderStatus.CANCELLED
    }


def test_a_pm_without_a_deputy_gets_no_notices(pm, vendor, client_org):
    EngagementFactory(client=client_org, pm=pm, deputy_pm=None, csm=UserFactory(csm=True, organization=vendor))
    today = timezone.localdate()
    absence = account_services.staff_absence_record(by=pm, user=pm, starts_on=today, ends_on=today + timedelta(days=1))
    reminder_sweep(now=timezone.now() + timedelta(days=3))
    assert not Notification.objects.exists()
    assert absence.pk
