"""The promise ledger on engagements' Promise: recorded with a source, reminded before due, marked broken once,
on the next agenda and in health; the client sees the promises made to them; directors see kept-on-time rates."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from engagements import health
from engagements import selectors as engagement_selectors
from engagements.models import Promise, PromiseStatus
from engagements.services import promise_add, promise_close, promise_notices, promise_record
from governance.models import MEETING_SOURCE, AgendaItem, MeetingStatus
from governance.services import agenda
from notifications.models import Channel, Notification, Reminder
from notifications.services import reminder_sweep

from .factories import MONDAY as NOW

pytestmark = pytest.mark.django_db

FRIDAY_NOON = datetime(2026, 3, 6, 11, 0, tzinfo=UTC)  # 12:00 in Berlin


def record(engagement, by, owner, **kw):
    values = {"description": "We will send an update by Friday 12:00", "due_at": FRIDAY_NOON, "now": NOW}
    return promise_record(by=by, engagement=engagement, owner=owner, **{**values, **kw})


def test_a_promise_from_a_meeting_is_recorded_with_its_source_and_reminded_the_day_before(
    weekly, pm, mapped_engagement
):
    meeting = weekly[0]
    promise = record(mapped_engagement, pm, pm, source=MEETING_SOURCE, source_object=meeting)
    assert (promise.source, promise.source_object, promise.shown_to_client) == ("meeting", meeting, True)
    reminder = Reminder.objects.get(key=f"governance-promise:{promise.pk}")
    assert reminder.due_at == FRIDAY_NOON - timedelta(hours=24)
    reminder_sweep(now=reminder.due_at, time_budget=30)
    reminder_sweep(now=reminder.due_at + timedelta(hours=1), time_budget=30)
    due = Notification.objects.filter(template=promise_notices.DUE_TEMPLATE, channel=Channel.EMAIL)
    assert [n.recipient for n in due] == [pm]
    # Kept in time: nothing more happens.
    promise_close(by=pm, promise=promise, status=PromiseStatus.KEPT, now=FRIDAY_NOON - timedelta(hours=2))
    assert promise_notices.promises_mark_broken(now=FRIDAY_NOON + timedelta(hours=1)) == 0
    promise.refresh_from_db()
    assert promise.kept_on_time and promise.broken_at is None


def test_bad_promises_change_nothing(weekly, pm, mapped_engagement, client_key_user):
    with pytest.raises(ValidationError):
        record(mapped_engagement, pm, pm, due_at=NOW - timedelta(hours=1))
    with pytest.raises(ValidationError):
        record(mapped_engagement, pm, pm, description="  ")
    with pytest.raises(PermissionDenied):
        record(mapped_engagement, client_key_user, pm)
    with pytest.raises(ValidationError):
        record(mapped_engagement, pm, client_key_user, side="vendor")  # our promise, owned by one of ours
    assert not Promise.objects.exists()


def test_a_promise_passing_unkept_breaks_once_goes_on_the_next_agenda_and_changes_health(
    weekly, pm, csm, mapped_engagement
):
    promise = record(mapped_engagement, pm, pm)
    today = FRIDAY_NOON.date()
    before, _values = health.health_of(mapped_engagement, today=today)
    assert promise_notices.promises_mark_broken(now=FRIDAY_NOON - timedelta(seconds=1)) == 0
    assert promise_notices.promises_mark_broken(now=FRIDAY_NOON + timedelta(minutes=1)) == 1
    assert promise_notices.promises_mark_broken(now=FRIDAY_NOON + timedelta(minutes=2)) == 0
    promise.refresh_from_db()
    assert promise.broken_at == FRIDAY_NOON + timedelta(minutes=1)
    told = Notification.objects.filter(template=promise_notices.BROKEN_TEMPLATE, channel=Channel.EMAIL)
    assert sorted(n.recipient.pk for n in told) == sorted([pm.pk, csm.pk])
    # The next meeting's agenda has it, as broken.
    following = next(m for m in weekly if m.starts_at > FRIDAY_NOON)
    agenda.agenda_prepare(meeting=following, by=pm, now=FRIDAY_NOON + timedelta(hours=1))
    entry = AgendaItem.objects.get(meeting=following, source_ref=f"commitment:{promise.pk}")
    assert entry.parent.live_source == "commitments" and "broken" in entry.detail
    # Health: a broken promise puts the engagement at risk.
    after, values = health.health_of(mapped_engagement, today=today)
    assert values["broken_promises"] == 1
    assert after != before and after == "at_risk"
    # Kept late: still broken on the record, no longer open.
    promise_close(by=pm, promise=promise, status=PromiseStatus.KEPT, now=FRIDAY_NOON + timedelta(hours=3))
    promise.refresh_from_db()
    assert promise.broken_at is not None and not promise.kept_on_time


def test_the_handoffs_promises_are_reminded_and_broken_too(weekly, csm, mapped_engagement):
    sales = promise_add(
        by=csm,
        engagement=mapped_engagement,
        description="Dedicated Slack channel",
        owner=csm,
        due_at=FRIDAY_NOON,
        now=NOW,
    )
    assert Reminder.objects.filter(key=f"governance-promise:{sales.pk}").exists()
    assert promise_notices.promises_mark_broken(now=FRIDAY_NOON + timedelta(minutes=1)) == 1


def test_the_client_sees_the_promises_made_to_them_only(
    client, weekly, pm, csm, mapped_engagement, client_key_user, other_client_user
):
    shown = record(mapped_engagement, pm, pm, description="Send the test report by Friday")
    record(mapped_engagement, pm, pm, description="Internal: check the margin", shown_to_client=False)
    promise_add(
        by=csm, engagement=mapped_engagement, description="Sales: free training", owner=csm, due_at=FRIDAY_NOON, now=NOW
    )
    client.force_login(client_key_user)
    page = client.get(reverse("portal:promises")).content.decode()
    assert shown.description in page and "margin" not in page and "free training" not in page
    client.force_login(other_client_user)
    assert shown.description not in client.get(reverse("portal:promises")).content.decode()


def test_directors_see_kept_on_time_rates_per_engagement_and_pm(
    client, weekly, pm, director, team_member, mapped_engagement
):
    kept = record(mapped_engagement, pm, pm, description="A")
    late = record(mapped_engagement, pm, pm, description="B")
    record(mapped_engagement, pm, pm, description="C")  # broken, still open
    dropped = record(mapped_engagement, pm, pm, description="D")
    promise_close(by=pm, promise=kept, status="kept", now=FRIDAY_NOON - timedelta(hours=1))
    promise_notices.promises_mark_broken(now=FRIDAY_NOON + timedelta(minutes=1))
    promise_close(by=pm, promise=late, status="kept", now=FRIDAY_NOON + timedelta(hours=2))
    promise_close(by=pm, promise=dropped, status="dropped", now=FRIDAY_NOON + timedelta(hours=2))
    by_engagement, by_pm = engagement_selectors.promise_rates(user=director, now=FRIDAY_NOON + timedelta(days=1))
    assert [(r.due, r.kept_on_time, r.broken, r.rate) for r in by_engagement] == [(3, 1, 2, 33)]
    assert [(r.label, r.rate) for r in by_pm] == [(pm.full_name, 33)]
    client.force_login(team_member)
    assert client.get(reverse("governance:promise_rates")).status_code == 404
    client.force_login(director)
    assert client.get(reverse("governance:promise_rates")).status_code == 200


def test_a_missed_meeting_changes_health(weekly, pm, mapped_engagement):
    from governance.services import lifecycle

    first = weekly[0]
    due = lifecycle.minutes_due_at(first, first.series)
    reminder_sweep(now=due, time_budget=30)
    first.refresh_from_db()
    assert first.status == MeetingStatus.MISSED
    state, values = health.health_of(mapped_engagement, today=due.date())
    assert values["missed_meetings"] == 1 and state == "at_risk"


def test_recording_a_promise_through_the_meeting_page(client, weekly, pm, mapped_engagement):
    client.force_login(pm)
    meeting = weekly[0]
    response = client.post(
        reverse("governance:meeting_promise_add", args=[meeting.pk]),
        {
            "description": "We send the cut-over plan",
            "side": "vendor",
            "owner": pm.pk,
            "due_at": "2030-01-04T12:00",
            "shown_to_client": "on",
        },
    )
    assert response.status_code == 302
    promise = Promise.objects.get(description="We send the cut-over plan")
    assert promise.source_object == meeting
    page = client.get(reverse("governance:meeting", args=[meeting.pk])).content.decode()
    assert "We send the cut-over plan" in page


def test_a_broken_promise_is_a_webhook_event_once(weekly, csm, mapped_engagement):
    from webhooks.models import Delivery, Event
    from webhooks.tests.factories import EndpointFactory

    EndpointFactory(organization=mapped_engagement.client, event_types=["promise.broken"])
    promise = promise_add(
        by=csm, engagement=mapped_engagement, description="Margin talk", owner=csm, due_at=FRIDAY_NOON, now=NOW
    )
    assert promise_notices.promises_mark_broken(now=FRIDAY_NOON + timedelta(minutes=1)) == 1
    assert promise_notices.promises_mark_broken(now=FRIDAY_NOON + timedelta(minutes=2)) == 0
    [event] = Event.objects.filter(type="promise.broken")
    assert event.data["promise"]["id"] == promise.pk and event.data["client"] == {"id": mapped_engagement.client_id}
    assert event.data["promise"]["due_at"] == FRIDAY_NOON.astimezone(UTC).isoformat()
    assert "Margin" not in str(event.data)
    assert Delivery.objects.filter(event=event).count() == 1
