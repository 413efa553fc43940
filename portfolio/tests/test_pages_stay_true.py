"""Pages that stay true (issue 10): after an inline change the engagement page reloads every figure it shows, the
dashboard row follows at once, and reminders about a finished item are withdrawn."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from checklists import services as checklist_services
from checklists.models import ItemStatus
from checklists.reminders import CHECKLIST_CATEGORY, OVERDUE_KIND, item_reminders_sync
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from notifications.models import Channel, Notification, Status
from notifications.services import notify

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def stage(engagement):
    return ChecklistStageFactory(engagement=engagement, title="Scope")


def test_a_tick_in_place_tells_the_page_its_figures_changed(client, csm, stage):
    item = ChecklistItemFactory(stage=stage)
    client.force_login(csm)
    response = client.post(reverse("checklists:item", args=[item.pk]), {"status": "done"}, **HTMX)
    event = json.loads(response["HX-Trigger-After-Swap"])
    assert event == {"checklist-changed": {"engagement": stage.engagement_id, "item": item.pk}}


def test_a_refused_tick_changes_nothing_and_says_nothing_changed(client, csm, stage):
    item = ChecklistItemFactory(stage=stage, evidence_required="link")
    client.force_login(csm)
    response = client.post(reverse("checklists:item", args=[item.pk]), {"status": "done"}, **HTMX)
    assert "HX-Trigger-After-Swap" not in response
    assert "needs a link" in response.content.decode()


def test_the_figures_answer_swaps_every_figure_into_place(client, csm, stage, engagement):
    overdue = ChecklistItemFactory(stage=stage, overdue=True, title="Late thing")
    ChecklistItemFactory(stage=stage, title="Other thing")
    client.force_login(csm)
    url = reverse("portfolio:engagement_figures", args=[engagement.pk])
    before = client.get(url).content.decode()
    assert 'id="engagement-health"' in before and "At risk" in before and "1 overdue checklist item" in before
    assert f'id="stage-figures-{stage.pk}" class="stage-figures" hx-swap-oob="true"' in before
    assert ">0/2<" in before and "0% done" in before and "Late thing" in before

    client.post(reverse("checklists:item", args=[overdue.pk]), {"status": "done"}, **HTMX)
    after = client.get(url).content.decode()
    assert ">1/2<" in after and "50% done" in after
    assert "On track" in after and "overdue checklist item" not in after
    # Next actions no longer list what is done.
    assert "Late thing" not in after.split('id="next-actions"')[1]
    for fragment in ("engagement-health", "engagement-progress", "next-actions", "engagement-timeline"):
        assert f'id="{fragment}"' in after


def test_a_comment_in_place_updates_the_rows_count(client, csm, stage):
    item = ChecklistItemFactory(stage=stage)
    client.force_login(csm)
    loaded = client.get(reverse("checklists:item_comment", args=[item.pk]), **HTMX)
    assert loaded.status_code == 200 and f'id="comments-{item.pk}"' in loaded.content.decode()
    response = client.post(reverse("checklists:item_comment", args=[item.pk]), {"body": "On it"}, **HTMX)
    body = response.content.decode()
    assert f'<span id="item-{item.pk}-comment-count" hx-swap-oob="true">1 comment</span>' in body
    assert "checklist-changed" in response["HX-Trigger-After-Swap"]


def test_an_empty_comment_in_place_says_so_next_to_the_box(client, csm, stage):
    item = ChecklistItemFactory(stage=stage)
    client.force_login(csm)
    body = client.post(reverse("checklists:item_comment", args=[item.pk]), {"body": "  "}, **HTMX).content.decode()
    assert "Write a comment first." in body and "is-invalid" in body
    assert "hx-swap-oob" not in body


def test_the_dashboard_row_follows_a_tick_at_once(client, csm, stage, engagement):
    item = ChecklistItemFactory(stage=stage)
    ChecklistItemFactory(stage=stage)
    client.force_login(csm)
    assert "0% · 0/2" in client.get(reverse("home")).content.decode()
    client.post(reverse("checklists:item", args=[item.pk]), {"status": "done"}, **HTMX)
    assert "50% · 1/2" in client.get(reverse("home")).content.decode()


def test_the_kept_pages_never_show_a_figure_older_than_a_reassignment_or_a_comment(client, csm, pm, stage, engagement):
    """The engagement page, My work and the dashboard are kept (``page_cache``): each change made in place moves
    their generation on, so the next load shows it."""
    item = ChecklistItemFactory(stage=stage, assignee=csm, overdue=True, title="Order the licences")
    page, my_work = reverse("portfolio:engagement", args=[engagement.pk]), reverse("portfolio:my_work")
    client.force_login(pm)
    assert "Order the licences" not in client.get(my_work).content.decode()
    client.force_login(csm)
    assert f'<option value="{csm.pk}" selected>' in client.get(page).content.decode()
    assert "Order the licences" in client.get(my_work).content.decode()

    client.post(reverse("checklists:item", args=[item.pk]), {"assignee": pm.pk}, **HTMX)
    assert f'<option value="{pm.pk}" selected>{pm.full_name}</option>' in client.get(page).content.decode()
    assert "Order the licences" not in client.get(my_work).content.decode()
    client.force_login(pm)
    assert "Order the licences" in client.get(my_work).content.decode()

    client.post(reverse("checklists:item_comment", args=[item.pk]), {"body": "Ordered"}, **HTMX)
    assert f'<span id="item-{item.pk}-comment-count">1 comment</span>' in client.get(page).content.decode()
    client.post(reverse("checklists:item", args=[item.pk]), {"status": "done"}, **HTMX)
    assert "Order the licences" not in client.get(my_work).content.decode()
    assert "1/1" in client.get(page).content.decode()


def test_rows_render_the_assignee_picker_once_per_page(client, csm, stage, engagement):
    client.force_login(csm)
    url = reverse("portfolio:engagement", args=[engagement.pk])
    option = f'<option value="{csm.pk}">{csm.full_name}</option>'
    ChecklistItemFactory(stage=stage, assignee=csm)
    once = client.get(url).content.decode().count(option)
    for _ in range(5):
        ChecklistItemFactory(stage=stage, assignee=csm)
    page = client.get(url).content.decode()
    # Each row's picker holds only its current choice; the people are in the page's two templates.
    assert page.count('data-options="assignees-vendor"') == 6
    assert page.count('<template id="assignees-vendor">') == 1
    assert page.count(option) == once


def _reminded(item, user, *, days_ago=1):
    now = timezone.now()
    notify(
        event=f"{OVERDUE_KIND}:{item.pk}:{(now - timedelta(days=days_ago)).isoformat()}",
        recipients=[user],
        category=CHECKLIST_CATEGORY,
        template="checklists/email/checklist_overdue",
        context={
            "item_title": item.title,
            "engagement_name": "x",
            "client_name": "y",
            "due_on": item.due_on,
            "days_overdue": 1,
        },
        target=item,
        url="/",
    )


def test_reminders_about_an_item_done_are_withdrawn(csm, stage):
    item = ChecklistItemFactory(stage=stage, overdue=True, assignee=csm)
    item_reminders_sync(item)
    _reminded(item, csm)
    checklist_services.item_update(by=csm, item=item, status=ItemStatus.DONE)
    in_app = Notification.objects.get(channel=Channel.IN_APP, target_id=str(item.pk))
    email = Notification.objects.get(channel=Channel.EMAIL, target_id=str(item.pk))
    assert in_app.status == Status.CANCELLED and in_app.read_at is not None
    assert email.status == Status.CANCELLED
    assert not Notification.objects.visible_to(csm).unread().exists()


def test_the_centre_shows_a_withdrawn_reminder_as_no_longer_needed(client, csm, stage):
    item = ChecklistItemFactory(stage=stage, overdue=True, assignee=csm)
    _reminded(item, csm)
    checklist_services.item_complete(by=csm, item=item)
    client.force_login(csm)
    body = client.get(reverse("notifications:centre")).content.decode()
    assert 'data-testid="withdrawn"' in body and ">New<" not in body


def test_reminders_already_read_stay_as_they_were(csm, stage):
    item = ChecklistItemFactory(stage=stage, overdue=True, assignee=csm)
    _reminded(item, csm)
    Notification.objects.filter(channel=Channel.IN_APP).update(read_at=timezone.now())
    Notification.objects.filter(channel=Channel.EMAIL).update(status=Status.SENT)
    checklist_services.item_complete(by=csm, item=item)
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}


def test_deleting_an_item_withdraws_its_reminders(csm, stage):
    item = ChecklistItemFactory(stage=stage, overdue=True, assignee=csm)
    _reminded(item, csm)
    checklist_services.item_delete(by=csm, item=item)
    assert not Notification.objects.visible_to(csm).unread().exists()
