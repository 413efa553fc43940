"""The reminder kind ``governance.meeting``: each meeting's due steps, done when its reminder row fires (the steps
and their times are in ``lifecycle``; this handler also prepares the agenda, so it sits above ``agenda``)."""

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.models import User
from engagements.figures import figures_refresh
from engagements.models import Phase
from notifications.models import Reminder
from notifications.services import NotifyRequest, notify_many

from ..models import Meeting, MeetingStatus
from .agenda import agenda_prepare
from .constants import CATEGORY
from .lifecycle import (
    AGENDA_TEMPLATE,
    MINUTES_LATE_TEMPLATE,
    MISSED_TEMPLATE,
    SOON_TEMPLATE,
    agenda_at,
    invitation_requests,
    invite_at,
    minutes_due_at,
    next_due,
    participant_requests,
    participants_of,
    remind_at,
)


def remind_meetings(reminders: list[Reminder], *, now: datetime) -> dict:
    """Do each meeting's due steps (see the module docstring); returns each reminder's next due time."""
    meeting_type = ContentType.objects.get_for_model(Meeting)
    ids = [int(r.target_id) for r in reminders if r.target_type_id == meeting_type.pk and r.target_id]
    meetings = {
        m.pk: m
        for m in Meeting.objects.filter(pk__in=ids)
        .select_related("series", "engagement__csm", "owner")
        .select_for_update(of=("self",))
    }
    participants = participants_of({m.series_id for m in meetings.values()})
    requests, outcome, touched = [], {}, set()
    for reminder in reminders:
        meeting = meetings.get(int(reminder.target_id or 0))
        # A closed engagement's meetings are not invited, reminded or flagged any more.
        if meeting is None or meeting.engagement.phase == Phase.CLOSED:
            outcome[reminder.pk] = None
            continue
        series, people = meeting.series, participants[meeting.series_id]
        before_start = now < meeting.starts_at
        changed = set()
        if meeting.status == MeetingStatus.SCHEDULED:
            if meeting.invited_sequence is None and now >= invite_at(meeting, series):
                if before_start:
                    requests += invitation_requests(meeting, people, update=False)
                meeting.invited_sequence = meeting.sequence
                changed.add("invited_sequence")
            if meeting.agenda_reminded_at is None and now >= agenda_at(meeting, series):
                agenda_prepare(meeting=meeting, now=now)
                if before_start:
                    requests += _owner_request(
                        meeting, event=f"governance.agenda:{meeting.pk}", template=AGENDA_TEMPLATE
                    )
                meeting.agenda_reminded_at = now
                changed.add("agenda_reminded_at")
            if meeting.participants_reminded_at is None and now >= remind_at(meeting, series):
                if before_start:
                    requests += participant_requests(
                        meeting,
                        people,
                        event=f"governance.soon:{meeting.pk}:{meeting.starts_at.isoformat()}",
                        template=SOON_TEMPLATE,
                        context={},
                    )
                meeting.participants_reminded_at = now
                changed.add("participants_reminded_at")
        if now >= minutes_due_at(meeting, series):
            if meeting.status == MeetingStatus.SCHEDULED:
                meeting.status = MeetingStatus.MISSED
                changed.add("status")
                requests += _owner_request(
                    meeting, event=f"governance.missed:{meeting.pk}", template=MISSED_TEMPLATE, with_csm=True
                )
            if (
                meeting.status != MeetingStatus.CANCELLED
                and meeting.minutes_version == 0
                and meeting.minutes_late_at is None
            ):
                meeting.minutes_late_at = now
                changed.add("minutes_late_at")
                if meeting.status != MeetingStatus.MISSED:
                    requests += _owner_request(
                        meeting,
                        event=f"governance.minutes_late:{meeting.pk}",
                        template=MINUTES_LATE_TEMPLATE,
                        with_csm=True,
                    )
        if changed & {"status", "minutes_late_at"}:
            touched.add(meeting.engagement_id)
        if changed:
            meeting.updated_at = now
            meeting.save(update_fields=[*changed, "updated_at"])
        due = next_due(meeting, series, now=now)
        outcome[reminder.pk] = max(due, now + timedelta(seconds=1)) if due is not None else None
    notify_many(requests, now=now)
    # Missed meetings and late minutes count in the engagements' health: their figures follow in this transaction.
    figures_refresh(touched, now=now)
    return outcome


def _owner_request(meeting, *, event, template, with_csm=False) -> list[NotifyRequest]:
    recipients = [meeting.owner]
    if with_csm and meeting.engagement.csm_id != meeting.owner_id:
        recipients.append(meeting.engagement.csm)
    return [
        NotifyRequest(
            event=event,
            recipients=[user for user in recipients if isinstance(user, User) and user.is_active],
            category=CATEGORY,
            template=template,
            context={
                "title": meeting.title,
                "engagement_name": meeting.engagement.name,
                "starts_at": meeting.starts_at,
                "minutes_due_at": minutes_due_at(meeting, meeting.series),
            },
            target=meeting,
            url=reverse("governance:meeting", args=[meeting.pk]),
        )
    ]
