"""The governance pages through the browser's eyes (Django's test client): what each shows, the htmx partials,
and query counts that do not grow with meetings, action items, checklist items or promises."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements.services import promise_record
from governance.models import AgendaItem, Meeting, MeetingSeries, Outcome
from governance.services import agenda, minutes, plan
from governance.services import series as schedule

pytestmark = pytest.mark.django_db


def _apply(engagement, pm, keys, starts_on=None, now=None):
    return plan.plan_apply(
        by=pm,
        engagement=engagement,
        cadence_keys=keys,
        time_zone="Europe/Berlin",
        language="en",
        starts_on=starts_on or timezone.localdate(),
        now=now or timezone.now(),
    )


def _history(engagement, pm, client_key_user, *, weeks):
    """Weeks of past weekly meetings, each with its agenda, minutes, outcomes and a client action item shared."""
    start = timezone.now() - timedelta(weeks=weeks)
    _apply(engagement, pm, ["weekly-status", "steering"], starts_on=start.date(), now=start)
    meetings = Meeting.objects.filter(
        series__cadence_key="weekly-status", ends_at__lt=timezone.now(), minutes_version=0
    )
    for meeting in meetings:
        agenda.agenda_prepare(meeting=meeting, by=pm, now=meeting.starts_at)
        item = meeting.agenda_items.filter(parent=None).first()
        agenda.agenda_item_update(by=pm, item=item, minutes="All on track.")
        agenda.outcome_add(by=pm, item=item, kind="decision", text="Keep going", now=meeting.starts_at)
        agenda.outcome_add(
            by=pm,
            item=item,
            kind="action",
            text="Check the export",
            owner=client_key_user,
            owner_side="client",
            due_on=meeting.starts_at.date() + timedelta(days=7),
            now=meeting.starts_at,
        )
        minutes.minutes_publish(by=pm, meeting=meeting, now=meeting.starts_at + timedelta(hours=1))
    plan.meetings_top_up()


def _checklist(engagement, n):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    for _ in range(n):
        ChecklistItemFactory(stage=stage, overdue=True)


def _red_flags(engagement, key_user, n):
    from escalations.services import flag_raise

    for i in range(n):
        flag_raise(
            engagement=engagement,
            by=key_user,
            title=f"Complaint {i}",
            description="Orders were lost.",
            category="quality",
            severity="normal",
        )


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries.captured_queries), response


def test_the_governance_page_shows_the_plan_and_its_queries_do_not_grow(
    client, cadences, mapped_engagement, pm, client_key_user, other_engagement
):
    client.force_login(pm)
    url = reverse("governance:plan", args=[mapped_engagement.pk])
    response = client.get(url)
    assert b"Apply the default plan" in response.content
    _apply(mapped_engagement, pm, ["weekly-status"])
    small, _response = _count(client, url)
    _history(mapped_engagement, pm, client_key_user, weeks=8)
    _checklist(mapped_engagement, 30)
    for n in range(12):
        promise_record(
            by=pm,
            engagement=mapped_engagement,
            description=f"Promise {n}",
            owner=pm,
            due_at=timezone.now() + timedelta(days=n + 1),
        )
    large, response = _count(client, url)
    assert large <= small
    assert response.content.count(b'data-testid="promise-') >= 12
    page = response.content.decode()
    assert "Weekly status meeting" in page and "Steering meeting" in page
    assert 'data-testid="meeting-health-share"' in page


def test_the_meeting_page_with_a_live_agenda_does_not_grow_with_data(
    client, cadences, mapped_engagement, pm, client_key_user
):
    client.force_login(pm)
    _history(mapped_engagement, pm, client_key_user, weeks=2)
    upcoming = Meeting.objects.filter(series__cadence_key="weekly-status", starts_at__gt=timezone.now()).first()
    url = reverse("governance:meeting", args=[upcoming.pk])
    _red_flags(mapped_engagement, client_key_user, 1)
    small, response = _count(client, url)  # a preview: the template's sections and today's live data
    assert b"A preview" in response.content
    _history(mapped_engagement, pm, client_key_user, weeks=6)
    _checklist(mapped_engagement, 40)
    _red_flags(mapped_engagement, client_key_user, 5)
    large, response = _count(client, url)
    assert large <= small
    assert response.content.count(b'data-testid="live-entry"') >= 46
    # Prepared, the agenda rows are read the same way, however many there are.
    client.post(reverse("governance:meeting_prepare", args=[upcoming.pk]))
    prepared_small, _response = _count(client, url)
    _checklist(mapped_engagement, 20)
    client.post(reverse("governance:meeting_prepare", args=[upcoming.pk]))
    prepared_large, response = _count(client, url)
    assert prepared_large <= prepared_small
    assert response.content.count(b'data-testid="agenda-entry"') >= 60


def test_the_upcoming_meetings_list_does_not_grow(
    client, cadences, mapped_engagement, other_engagement, pm, client_key_user
):
    client.force_login(pm)
    url = reverse("governance:upcoming")
    _apply(mapped_engagement, pm, ["weekly-status"])
    small, _response = _count(client, url)
    _history(mapped_engagement, pm, client_key_user, weeks=4)
    other_engagement.pm = pm
    other_engagement.save()
    _apply(other_engagement, pm, ["weekly-status", "steering"])
    large, response = _count(client, url)
    assert large <= small
    assert response.content.count(b"/governance/meetings/") >= 20


def test_htmx_edits_answer_with_the_changed_part(client, cadences, mapped_engagement, pm):
    client.force_login(pm)
    _apply(mapped_engagement, pm, ["weekly-status"])
    meeting = Meeting.objects.first()
    client.post(reverse("governance:meeting_prepare", args=[meeting.pk]))
    item = meeting.agenda_items.filter(parent=None).first()
    response = client.post(
        reverse("governance:agenda_item", args=[item.pk]),
        {"minutes": "Stage 1 is done."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'id="agenda-item-{item.pk}"'.encode() in response.content
    assert b"<html" not in response.content and b"Stage 1 is done." in response.content
    response = client.post(
        reverse("governance:outcome_add", args=[item.pk]),
        {"kind": "action", "text": "Send the plan", "owner_side": "vendor", "due_on": ""},
        HTTP_HX_REQUEST="true",
    )
    assert b"due date" in response.content and not Outcome.objects.exists()
    response = client.post(
        reverse("governance:agenda_item_add", args=[meeting.pk]), {"title": "Budget"}, HTTP_HX_REQUEST="true"
    )
    assert b'id="agenda"' in response.content and b"Budget" in response.content
    assert AgendaItem.objects.filter(title="Budget").exists()


def test_the_portal_shows_shared_minutes_with_what_changed(client, cadences, mapped_engagement, pm, client_key_user):
    _apply(
        mapped_engagement,
        pm,
        ["weekly-status"],
        starts_on=timezone.localdate() - timedelta(days=8),
        now=timezone.now() - timedelta(days=8),
    )
    meeting = Meeting.objects.filter(starts_at__lt=timezone.now()).first()
    agenda.agenda_prepare(meeting=meeting, by=pm)
    item = meeting.agenda_items.filter(parent=None).first()
    agenda.agenda_item_update(by=pm, item=item, minutes="We agreed the scope.", internal_notes="Margin is thin.")
    minutes.minutes_publish(by=pm, meeting=meeting)
    agenda.agenda_item_update(by=pm, item=item, minutes="We agreed the scope and the budget.")
    minutes.minutes_publish(by=pm, meeting=meeting, change_note="The budget too")
    client.force_login(client_key_user)
    page = client.get(reverse("portal:meeting", args=[meeting.pk])).content.decode()
    assert "Minutes, version 2" in page and "What changed since version 1" in page
    assert "<del" in page and "We agreed the scope and the budget." in page
    assert "Margin" not in page
    first = client.get(reverse("portal:meeting", args=[meeting.pk]) + "?version=1").content.decode()
    assert "Minutes, version 1" in first and "and the budget" not in first.split("Versions")[0]
    listing = client.get(reverse("portal:meetings")).content.decode()
    assert "minutes, version 2" in listing


def test_the_client_never_sees_an_internal_meeting(client, cadences, mapped_engagement, pm, client_key_user):
    from governance.models import CadenceTemplate

    meeting = schedule.meeting_add(
        by=pm,
        engagement=mapped_engagement,
        title="",
        starts_at=timezone.now() + timedelta(days=2),
        duration_minutes=60,
        cadence=CadenceTemplate.objects.get(key="handoff", language="en"),
    )
    client.force_login(client_key_user)
    assert client.get(reverse("portal:meeting", args=[meeting.pk])).status_code == 404
    assert meeting.title not in client.get(reverse("portal:meetings")).content.decode()


def test_the_client_completes_an_action_item_from_their_list(client, cadences, mapped_engagement, pm, client_key_user):
    _history(mapped_engagement, pm, client_key_user, weeks=1)
    action = Outcome.objects.filter(kind="action").first()
    client.force_login(client_key_user)
    page = client.get(reverse("portal:action_items")).content.decode()
    assert "Check the export" in page
    response = client.post(reverse("portal:action_item_complete", args=[action.pk]))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done"


def test_apply_form_through_the_page(client, cadences, mapped_engagement, pm):
    client.force_login(pm)
    response = client.post(
        reverse("governance:plan_apply", args=[mapped_engagement.pk]),
        {
            "time_zone": "Europe/Berlin",
            "language": "en",
            "starts_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
            "cadences": ["weekly-status", "steering"],
            "group_executive-review": "executive-review-yearly",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert sorted(MeetingSeries.objects.values_list("cadence_key", flat=True)) == [
        "executive-review-yearly",
        "steering",
        "weekly-status",
    ]
    assert b"Applied:" in response.content


def test_moving_a_meeting_through_its_form(client, cadences, mapped_engagement, pm):
    client.force_login(pm)
    _apply(mapped_engagement, pm, ["weekly-status"])
    meeting = Meeting.objects.first()
    response = client.post(
        reverse("governance:meeting_move", args=[meeting.pk]),
        {"starts_at": "", "duration_minutes": 30, "reason": ""},
    )
    assert response.status_code == 200 and b"This field is required" in response.content
    new_start = (meeting.starts_at + timedelta(days=1)).astimezone(timezone.get_current_timezone())
    response = client.post(
        reverse("governance:meeting_move", args=[meeting.pk]),
        {"starts_at": new_start.strftime("%Y-%m-%dT%H:%M"), "duration_minutes": 45, "reason": "Board meeting"},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_moved and meeting.ends_at - meeting.starts_at == timedelta(minutes=45)


def test_dates_in_agendas_and_times_for_a_fixed_clock():
    # Guard the hand-worked dates used above: the weekly status meets on Tuesdays.
    assert date(2026, 3, 3).weekday() == 1
    assert datetime(2026, 3, 3, 9, 0, tzinfo=UTC).isoformat().endswith("+00:00")


def test_the_meeting_page_speaks_german(client, cadences, mapped_engagement, pm):
    pm.language = "de"
    pm.save()
    client.force_login(pm)
    _apply(mapped_engagement, pm, ["weekly-status"])
    meeting = Meeting.objects.first()
    page = client.get(reverse("governance:meeting", args=[meeting.pk])).content.decode()
    assert "Tagesordnung" in page


def _shared_once(engagement, pm):
    """A past weekly meeting with its agenda prepared and version 1 of its minutes shared."""
    _apply(
        engagement,
        pm,
        ["weekly-status"],
        starts_on=timezone.localdate() - timedelta(days=8),
        now=timezone.now() - timedelta(days=8),
    )
    meeting = Meeting.objects.filter(starts_at__lt=timezone.now()).order_by("starts_at").first()
    agenda.agenda_prepare(meeting=meeting, by=pm)
    item = meeting.agenda_items.filter(parent=None).order_by("position").first()
    agenda.agenda_item_update(by=pm, item=item, minutes="We agreed the scope.")
    minutes.minutes_publish(by=pm, meeting=meeting)
    return meeting, item


def test_sharing_a_new_version_saves_what_is_typed_first(client, cadences, mapped_engagement, pm, client_key_user):
    meeting, item = _shared_once(mapped_engagement, pm)
    other_meeting = Meeting.objects.exclude(pk=meeting.pk).filter(starts_at__lt=timezone.now()).first()
    client.force_login(pm)
    response = client.post(
        reverse("governance:meeting_publish", args=[meeting.pk]),
        {
            "change_note": "The budget too",
            f"draft-{item.pk}-minutes": "We agreed the scope and the budget.",
            f"draft-{item.pk}-internal_notes": "Margin is thin.",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.minutes, item.internal_notes) == ("We agreed the scope and the budget.", "Margin is thin.")
    meeting.refresh_from_db()
    latest = meeting.minutes_versions.get(number=2)
    assert latest.content["sections"][0]["minutes"] == "We agreed the scope and the budget."
    assert "Margin" not in str(latest.content)
    # An entry of another meeting named in the post is left alone.
    if other_meeting is not None and other_meeting.agenda_items.exists():
        foreign = other_meeting.agenda_items.first()
        client.post(
            reverse("governance:meeting_publish", args=[meeting.pk]),
            {"change_note": "x", f"draft-{foreign.pk}-minutes": "Hijacked"},
        )
        foreign.refresh_from_db()
        assert foreign.minutes != "Hijacked"


def test_a_refused_version_keeps_what_was_typed_and_says_so(client, cadences, mapped_engagement, pm):
    meeting, item = _shared_once(mapped_engagement, pm)
    client.force_login(pm)
    response = client.post(
        reverse("governance:meeting_publish", args=[meeting.pk]),
        {f"draft-{item.pk}-minutes": "We agreed the scope and the budget."},
        follow=True,
    )
    page = response.content.decode()
    assert "Say what changed" in page and "What you typed in the minutes is saved." in page
    item.refresh_from_db()
    assert item.minutes == "We agreed the scope and the budget."
    meeting.refresh_from_db()
    assert meeting.minutes_version == 1
    # Too long a draft is refused in words and changes nothing.
    response = client.post(
        reverse("governance:meeting_publish", args=[meeting.pk]),
        {"change_note": "More", f"draft-{item.pk}-minutes": "x" * 10001},
        follow=True,
    )
    assert "longer than 10000 characters" in response.content.decode()
    item.refresh_from_db()
    assert item.minutes == "We agreed the scope and the budget."
    assert Meeting.objects.get(pk=meeting.pk).minutes_version == 1


def test_the_minutes_editor_warns_about_unsaved_text(client, cadences, mapped_engagement, pm):
    meeting, item = _shared_once(mapped_engagement, pm)
    client.force_login(pm)
    page = client.get(reverse("governance:meeting", args=[meeting.pk])).content.decode()
    assert f'data-minutes-draft="{item.pk}"' in page and "data-warn-unsaved" in page
    assert "data-carry-drafts" in page
