"""A meeting's agenda (template and live data), outcomes and action items, and minutes shared as versions."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.tests.factories import UserFactory
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from governance.models import ActionStatus, AgendaItem, Attendance, Meeting, MinutesVersion, Outcome
from governance.services import actions, agenda, minutes, plan
from notifications.models import Channel, Notification, Reminder
from notifications.services import reminder_sweep

from .factories import MONDAY as NOW

pytestmark = pytest.mark.django_db


def section(meeting, source):
    return AgendaItem.objects.get(meeting=meeting, parent=None, live_source=source)


def test_the_agenda_is_the_template_with_live_data(weekly, mapped_engagement, pm):
    stage = ChecklistStageFactory(engagement=mapped_engagement, needs_acceptance=True, title="Scope")
    ChecklistItemFactory(stage=stage, title="Send the data export", client_side=True, due_on=date(2026, 2, 27))
    ChecklistItemFactory(stage=stage, title="Set up the VPN", due_on=date(2026, 2, 20))
    ChecklistItemFactory(stage=stage, title="Not yet due", due_on=date(2026, 3, 20))
    ready = ChecklistStageFactory(engagement=mapped_engagement, needs_acceptance=True, title="Design")
    ChecklistItemFactory(stage=ready, done=True, due_on=date(2026, 3, 30))
    meeting = weekly[0]
    agenda.agenda_prepare(meeting=meeting, by=pm, now=NOW)
    overdue = section(meeting, "overdue_items").entries.all()
    assert [e.title for e in overdue] == ["Set up the VPN", "Send the data export"]
    assert "client" in overdue[1].detail and "our side" in overdue[0].detail
    awaiting = section(meeting, "awaiting_acceptance").entries.all()
    # "Scope" still has an item to come: not awaiting the client yet.
    assert [(e.title, e.detail) for e in awaiting] == [("Design", "Ready for the client's acceptance")]
    # Preparing again adds only what is new.
    ChecklistItemFactory(stage=stage, title="Sign the DPA", client_side=True, due_on=date(2026, 3, 1))
    assert agenda.agenda_prepare(meeting=meeting, by=pm, now=NOW) == 1
    assert section(meeting, "overdue_items").entries.count() == 3
    # The participants are the meeting's attendance list.
    assert {a.name for a in meeting.attendees.all()} >= {"Petra PM", "Kasia Key"}


def test_open_action_items_of_the_series_are_carried_over(weekly, pm, client_key_user):
    first, second = weekly[0], weekly[1]
    agenda.agenda_prepare(meeting=first, by=pm, now=NOW)
    item = section(first, "carried_over")
    at = first.starts_at + timedelta(minutes=10)
    open_action = agenda.outcome_add(
        by=pm,
        item=item,
        kind="action",
        text="Send the test plan",
        owner_side="client",
        owner=client_key_user,
        due_on=date(2026, 3, 6),
        now=at,
    )
    done_action = agenda.outcome_add(
        by=pm,
        item=item,
        kind="action",
        text="Book the room",
        owner_side="vendor",
        owner=pm,
        due_on=date(2026, 3, 6),
        now=at,
    )
    actions.action_item_set_status(by=pm, outcome=done_action, status=ActionStatus.DONE, now=at)
    agenda.agenda_prepare(meeting=second, by=pm, now=at)
    carried = list(section(second, "carried_over").entries.all())
    assert [(e.title, e.action_item_id) for e in carried] == [("Send the test plan", open_action.pk)]


def test_only_those_who_manage_the_engagement_edit_the_agenda(weekly, team_member, client_key_user):
    meeting = weekly[0]
    for person in (team_member, client_key_user):
        with pytest.raises(PermissionDenied):
            agenda.agenda_item_add(by=person, meeting=meeting, title="Smuggled", now=NOW)
    assert not AgendaItem.objects.exists()


def test_editing_prepares_the_agenda_first_and_keeps_the_order(weekly, pm):
    meeting = weekly[0]
    added = agenda.agenda_item_add(by=pm, meeting=meeting, title="Budget", now=NOW)
    sections = list(meeting.agenda_items.filter(parent=None))
    assert sections[-1] == added and len(sections) == 7
    agenda.agenda_item_move(by=pm, item=added, direction="up")
    assert list(meeting.agenda_items.filter(parent=None))[-2] == added
    with pytest.raises(ValidationError):
        agenda.agenda_item_add(by=pm, meeting=meeting, title="  ", now=NOW)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"owner_side": "", "due_on": date(2026, 3, 9)}, "side"),
        ({"owner_side": "vendor", "due_on": None}, "due date"),
    ],
)
def test_an_action_item_needs_a_side_and_a_due_date(weekly, pm, fields, message):
    item = agenda.agenda_item_add(by=pm, meeting=weekly[0], title="Plan", now=NOW)
    with pytest.raises(ValidationError, match=message):
        agenda.outcome_add(by=pm, item=item, kind="action", text="Do it", now=NOW, **fields)
    assert not Outcome.objects.exists()


def test_an_action_items_owner_is_on_its_side(weekly, pm, client_key_user, other_client_user):
    item = agenda.agenda_item_add(by=pm, meeting=weekly[0], title="Plan", now=NOW)
    for side, owner in (("vendor", client_key_user), ("client", pm), ("client", other_client_user)):
        with pytest.raises(ValidationError, match="owner"):
            agenda.outcome_add(
                by=pm,
                item=item,
                kind="action",
                text="Do it",
                owner=owner,
                owner_side=side,
                due_on=date(2026, 3, 9),
                now=NOW,
            )


def _minutes_with_everything(meeting, pm, client_key_user):
    agenda.agenda_prepare(meeting=meeting, by=pm, now=NOW)
    progress = AgendaItem.objects.get(meeting=meeting, parent=None, position=10)
    agenda.agenda_item_update(by=pm, item=progress, minutes="Stage 1 done.", internal_notes="Client seemed tense.")
    secret = agenda.agenda_item_add(by=pm, meeting=meeting, title="Margin on the deal", is_internal=True, now=NOW)
    agenda.outcome_add(by=pm, item=secret, kind="decision", text="Offer a discount", now=NOW)
    agenda.outcome_add(by=pm, item=progress, kind="decision", text="Go live on 1 June", now=NOW)
    return agenda.outcome_add(
        by=pm,
        item=progress,
        kind="action",
        text="Send the test plan",
        owner=client_key_user,
        owner_side="client",
        due_on=date(2026, 3, 9),
        now=NOW,
    )


def test_shared_minutes_are_a_fixed_version_of_what_the_client_may_read(weekly, pm, client_key_user, csm):
    meeting = weekly[0]
    action = _minutes_with_everything(meeting, pm, client_key_user)
    # The client does not see an action item before the minutes are shared.
    assert not Outcome.objects.visible_to(client_key_user).exists()
    with pytest.raises(ValidationError):
        minutes.minutes_publish(by=pm, meeting=meeting, now=meeting.starts_at - timedelta(hours=1))
    at = meeting.starts_at + timedelta(hours=1)
    version = minutes.minutes_publish(by=pm, meeting=meeting, now=at)
    text = str(version.content)
    assert "Stage 1 done." in text and "Go live on 1 June" in text and "Send the test plan" in text
    assert "tense" not in text and "Margin" not in text and "discount" not in text
    assert set(Outcome.objects.visible_to(client_key_user)) == {action, Outcome.objects.get(text="Go live on 1 June")}
    told = Notification.objects.filter(template=minutes.SHARED_TEMPLATE, channel=Channel.EMAIL)
    assert {n.recipient for n in told} == {client_key_user}
    meeting.refresh_from_db()
    assert (meeting.minutes_version, meeting.status) == (1, "held")
    # Nothing changed: no new version; a change needs a note for the client.
    with pytest.raises(ValidationError, match="Nothing changed"):
        minutes.minutes_publish(by=pm, meeting=meeting, now=at)
    progress = AgendaItem.objects.get(meeting=meeting, parent=None, position=10)
    agenda.agenda_item_update(by=pm, item=progress, minutes="Stage 1 done.\nStage 2 starts Monday.")
    with pytest.raises(ValidationError, match="Say what changed"):
        minutes.minutes_publish(by=pm, meeting=meeting, now=at)
    second = minutes.minutes_publish(by=pm, meeting=meeting, change_note="Added the start of stage 2", now=at)
    assert second.number == 2
    changes = minutes.minutes_changes(version.content, second.content)
    assert changes == [
        {"kind": "changed", "title": progress.title, "lines": [(" ", "Stage 1 done."), ("+", "Stage 2 starts Monday.")]}
    ]
    assert version.content["sections"][0]["minutes"] == "Stage 1 done."  # version 1 stays as it was


def test_the_key_user_acknowledges_and_comments(weekly, pm, csm, client_key_user, client_member):
    meeting = weekly[0]
    _minutes_with_everything(meeting, pm, client_key_user)
    version = minutes.minutes_publish(by=pm, meeting=meeting, now=meeting.starts_at + timedelta(hours=1))
    with pytest.raises(PermissionDenied):
        minutes.minutes_acknowledge(by=client_member, version=version)
    minutes.minutes_acknowledge(by=client_key_user, version=version)
    minutes.minutes_acknowledge(by=client_key_user, version=version)
    assert version.acknowledgements.count() == 1
    minutes.minutes_comment_add(by=client_key_user, meeting=meeting, body="The go-live date is 2 June.")
    told = Notification.objects.filter(template=minutes.COMMENT_TEMPLATE, channel=Channel.EMAIL)
    assert {n.recipient for n in told} == {pm, csm}
    with pytest.raises(PermissionDenied):
        minutes.minutes_comment_add(by=client_member, meeting=meeting, body="Me too")


def test_the_client_completes_their_action_item_and_the_owner_is_told(weekly, pm, client_key_user, other_client_user):
    meeting = weekly[0]
    action = _minutes_with_everything(meeting, pm, client_key_user)
    with pytest.raises(PermissionDenied):
        actions.action_item_set_status(by=client_key_user, outcome=action, status="done")
    minutes.minutes_publish(by=pm, meeting=meeting, now=meeting.starts_at + timedelta(hours=1))
    with pytest.raises(PermissionDenied):
        actions.action_item_set_status(by=other_client_user, outcome=action, status="done")
    with pytest.raises(ValidationError):
        actions.action_item_set_status(by=client_key_user, outcome=action, status="dropped")
    actions.action_item_set_status(by=client_key_user, outcome=action, status="done")
    action.refresh_from_db()
    assert (action.status, action.completed_by) == ("done", client_key_user)
    assert Notification.objects.filter(template=actions.DONE_TEMPLATE, recipient=pm).exists()


def test_action_items_are_reminded_before_and_after_their_due_date(weekly, pm, client_key_user):
    meeting = weekly[0]
    item = agenda.agenda_item_add(by=pm, meeting=meeting, title="Plan", now=NOW)
    owner = UserFactory(organization=pm.organization, full_name="Lena Dev", time_zone="Europe/Berlin")
    from engagements.tests.factories import EngagementMemberFactory

    EngagementMemberFactory(engagement=meeting.engagement, user=owner)
    action = agenda.outcome_add(
        by=pm,
        item=item,
        kind="action",
        text="Fix the export",
        owner=owner,
        owner_side="vendor",
        due_on=date(2026, 3, 10),
        now=NOW,
    )
    reminder = Reminder.objects.get(key=f"governance-action:{action.pk}")
    assert reminder.due_at == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # 09:00 Berlin the day before
    reminder_sweep(now=reminder.due_at, time_budget=30)
    assert Notification.objects.filter(template=actions.DUE_TEMPLATE, recipient=owner, channel="email").count() == 1
    reminder.refresh_from_db()
    assert reminder.due_at == datetime(2026, 3, 11, 8, 0, tzinfo=UTC)
    reminder_sweep(now=reminder.due_at, time_budget=30)
    reminder.refresh_from_db()
    assert reminder.due_at == datetime(2026, 3, 14, 8, 0, tzinfo=UTC)  # every 3 days, 09:00 local
    assert Notification.objects.filter(template=actions.OVERDUE_TEMPLATE, recipient=owner, channel="email").count() == 1
    actions.action_item_set_status(by=owner, outcome=action, status="done", now=reminder.due_at)
    reminder.refresh_from_db()
    assert reminder.status == "cancelled"


def test_attendance_is_recorded(weekly, pm):
    meeting = weekly[0]
    agenda.agenda_prepare(meeting=meeting, by=pm, now=NOW)
    attendee = meeting.attendees.get(name="Petra PM")
    agenda.attendance_set(by=pm, attendee=attendee, attendance=Attendance.ATTENDED)
    guest = agenda.attendee_add(by=pm, meeting=meeting, name="Tom Guest", side="client")
    assert guest.attendance == Attendance.ATTENDED
    version = None
    minutes_at = meeting.starts_at + timedelta(hours=1)
    version = minutes.minutes_publish(by=pm, meeting=meeting, now=minutes_at)
    assert {"name": "Tom Guest", "side": "client", "attendance": "attended"} in version.content["attendees"]
    assert MinutesVersion.objects.count() == 1


def test_open_red_flags_and_the_sla_figures_are_on_the_steering_agenda(
    cadences, mapped_engagement, pm, client_key_user
):
    from escalations.services import flag_raise

    plan.plan_apply(
        by=pm,
        engagement=mapped_engagement,
        cadence_keys=["steering"],
        time_zone="Europe/Berlin",
        language="en",
        starts_on=NOW.date(),
        now=NOW,
    )
    steering = Meeting.objects.filter(series__cadence_key="steering").order_by("starts_at").first()
    flag = flag_raise(
        engagement=mapped_engagement,
        by=client_key_user,
        title="Orders lost overnight",
        description="No order reached the warehouse.",
        category="quality",
        severity="high",
        now=NOW,
    )
    agenda.agenda_prepare(meeting=steering, by=pm, now=NOW + timedelta(hours=1))
    risks = AgendaItem.objects.get(meeting=steering, parent=None, live_source="red_flags")
    assert risks.title == "Problems and risks"
    entries = {e.source_ref: e for e in risks.entries.all()}
    assert entries[f"red-flag:{flag.pk}"].title == "Orders lost overnight"
    assert "High" in entries[f"red-flag:{flag.pk}"].detail and "level 1" in entries[f"red-flag:{flag.pk}"].detail
    sla = next(e for ref, e in entries.items() if ref.startswith("sla:"))
    assert "1 red flags" in sla.detail


def test_shared_minutes_are_a_webhook_event_per_version(weekly, pm, client_key_user):
    from webhooks.models import Delivery, Event
    from webhooks.tests.factories import EndpointFactory

    meeting = weekly[0]
    EndpointFactory(organization=meeting.engagement.client, event_types=["meeting.minutes_shared"])
    _minutes_with_everything(meeting, pm, client_key_user)
    minutes.minutes_publish(by=pm, meeting=meeting, now=meeting.starts_at + timedelta(hours=1))
    [event] = Event.objects.filter(type="meeting.minutes_shared")
    assert event.data["meeting"]["id"] == meeting.pk and event.data["meeting"]["minutes_version"] == 1
    assert event.data["client"] == {"id": meeting.engagement.client_id}
    assert "Margin" not in str(event.data) and "Stage 1" not in str(event.data)
    assert Delivery.objects.filter(event=event).count() == 1
