"""A meeting's timers, held in one reminder row per meeting (kind ``governance.meeting``).

The row is due at the meeting's next step; when it fires, the handler does every step whose time has come and
that is not done yet (the meeting row records each), then moves the row on to the next step, or finishes it:

1. ``invite_lead_days`` before: the invitation, with the ``.ics`` attached (``METHOD:REQUEST``), to the series'
   participants. Once invited, a move sends an update (a higher SEQUENCE) and a cancellation ``METHOD:CANCEL``,
   at once (``send_update_if_invited``, ``send_cancellation_if_invited``).
2. ``agenda_lead_hours`` before: the agenda is prepared from its template and live data, and the owner is asked
   to look at it.
3. ``remind_before_minutes`` before: the participants are reminded.
4. At the end of the second working day after the meeting (in its time zone): a meeting nobody marked held is
   *missed*, and one without shared minutes has its minutes flagged *late*; the owner and the CSM are told.

Each step is recorded on the meeting (``invited_sequence``, ``agenda_reminded_at``, ``participants_reminded_at``,
``status``/``minutes_late_at``) in the sweep's transaction and each notification has a deduplication key, so a
step happens once even if the row fires twice. A move or an edit of the series recomputes the row's due time.

The handler that does the steps is ``meeting_steps.remind_meetings``: it prepares the agenda, so it sits above
``agenda``, which schedules through this module.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse

from engagements.models import Side
from notifications import registry
from notifications.models import Channel, Reminder, ReminderStatus
from notifications.services import NotifyRequest, ReminderSpec, notify_many, reminder_schedule_many

from .. import calendar, recurrence
from ..models import Meeting, MeetingStatus, SeriesParticipant
from .constants import CATEGORY, MEETING_KIND

MINUTES_DUE_WORKING_DAYS = 2

INVITATION_TEMPLATE = "governance/email/meeting_invitation"
CANCELLATION_TEMPLATE = "governance/email/meeting_cancelled"
AGENDA_TEMPLATE = "governance/email/agenda_prepare"
SOON_TEMPLATE = "governance/email/meeting_soon"
MISSED_TEMPLATE = "governance/email/meeting_missed"
MINUTES_LATE_TEMPLATE = "governance/email/minutes_late"


def reminder_key(meeting_pk: int) -> str:
    return f"governance-meeting:{meeting_pk}"


# --- When -----------------------------------------------------------------------------------------------------


def invite_at(meeting, series) -> datetime:
    return meeting.starts_at - timedelta(days=series.invite_lead_days)


def agenda_at(meeting, series) -> datetime:
    return meeting.starts_at - timedelta(hours=series.agenda_lead_hours)


def remind_at(meeting, series) -> datetime:
    return meeting.starts_at - timedelta(minutes=series.remind_before_minutes)


def minutes_due_at(meeting, series) -> datetime:
    """The end of the second working day after the meeting, in its series' time zone; the public holidays of
    ``HOLIDAY_COUNTRY`` (where the team writing the minutes works) are no working days."""
    return recurrence.end_of_working_day_after(
        meeting.ends_at, MINUTES_DUE_WORKING_DAYS, series.zone, country=settings.HOLIDAY_COUNTRY
    )


def next_due(meeting, series, *, now: datetime | None = None) -> datetime | None:
    """When the meeting's reminder must fire next (None: nothing left to do)."""
    if meeting.status == MeetingStatus.CANCELLED:
        return None
    pending = []
    if meeting.status == MeetingStatus.SCHEDULED:
        if meeting.invited_sequence is None:
            pending.append(invite_at(meeting, series))
        if meeting.agenda_reminded_at is None:
            pending.append(agenda_at(meeting, series))
        if meeting.participants_reminded_at is None and (now is None or now < meeting.starts_at):
            pending.append(remind_at(meeting, series))
    if meeting.status == MeetingStatus.SCHEDULED or (meeting.minutes_version == 0 and meeting.minutes_late_at is None):
        pending.append(minutes_due_at(meeting, series))
    return min(pending) if pending else None


def schedule_many(meetings, *, now: datetime) -> None:
    """(Re)schedule the reminder rows of ``meetings`` (their series loaded or cached), one upsert for all."""
    specs, done = [], []
    for meeting in meetings:
        due = next_due(meeting, meeting.series, now=now)
        if due is None:
            done.append(reminder_key(meeting.pk))
            continue
        specs.append(
            ReminderSpec(key=reminder_key(meeting.pk), kind=MEETING_KIND, due_at=max(due, now), target=meeting)
        )
    if specs:
        reminder_schedule_many(specs, now=now)
    if done:
        Reminder.objects.filter(key__in=done, status=ReminderStatus.PENDING).update(
            status=ReminderStatus.CANCELLED, updated_at=now
        )


def cancel_reminder(meeting, *, now: datetime) -> None:
    Reminder.objects.filter(key=reminder_key(meeting.pk), status=ReminderStatus.PENDING).update(
        status=ReminderStatus.CANCELLED, updated_at=now
    )


# --- Who ------------------------------------------------------------------------------------------------------


def participants_of(series_ids) -> dict[int, list[SeriesParticipant]]:
    participants = defaultdict(list)
    for participant in SeriesParticipant.objects.filter(series_id__in=list(series_ids)).select_related("user"):
        participants[participant.series_id].append(participant)
    return participants


def participant_requests(meeting, participants, *, event, template, context, channels=None) -> list[NotifyRequest]:
    """One request for vendor people (link to the staff page), one for client users (the portal page) and one for
    people without an account (email only): each is sent the page they can open."""
    staff, clients, emails = [], [], []
    for participant in participants:
        if meeting.is_internal and participant.side != Side.VENDOR:
            continue  # Never, whatever the series says: the client does not hear of internal meetings.
        user = participant.user
        if user is not None and user.is_active:
            (clients if user.is_client_user else staff).append(user)
        elif participant.email:
            emails.append(participant.email)
    base = {
        "title": meeting.title,
        "engagement_name": meeting.engagement.name,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "reason": meeting.change_reason,
        **context,
    }
    extra = {"channels": channels} if channels else {}
    requests = []
    for recipients, url in (
        (staff, reverse("governance:meeting", args=[meeting.pk])),
        (clients, reverse("portal:meeting", args=[meeting.pk])),
        (emails, ""),
    ):
        if recipients:
            requests.append(
                NotifyRequest(
                    event=event,
                    recipients=recipients,
                    category=CATEGORY,
                    template=template,
                    context=base,
                    target=meeting,
                    url=url,
                    **extra,
                )
            )
    return requests


def _without_organizer(meeting, participants) -> list[SeriesParticipant]:
    """The participants an invitation or a cancellation goes to: not the organizer (the meeting's owner), who
    sends it rather than receives it."""
    owner = meeting.owner
    own_email = (owner.email or "").lower() if owner else ""
    return [
        p
        for p in participants
        if not (p.user_id is not None and p.user_id == meeting.owner_id)
        and not (own_email and (p.email or "").lower() == own_email)
    ]


def _without_author(participants, by) -> list[SeriesParticipant]:
    """Nobody is told of their own change: the person who moved, changed or cancelled a meeting is left out."""
    if by is None:
        return list(participants)
    own_email = (by.email or "").lower()
    return [
        p
        for p in participants
        if not (p.user_id is not None and p.user_id == by.pk)
        and not (own_email and (p.email or "").lower() == own_email)
    ]


def invitation_requests(meeting, participants, *, update: bool, by=None, notice_event: str = "") -> list[NotifyRequest]:
    """The invitation (or its update) of one meeting: by email for each meeting, with its calendar file, which the
    calendar needs; in the notification centre once per ``notice_event``: for a first invitation one notice per
    series (a weekly series is one invitation to a person, not 26), for an update of several meetings at once (a
    series edited) one per change; an update of a single meeting is its own notice."""
    people = _without_author(_without_organizer(meeting, participants), by)
    event = f"governance.invitation:{meeting.pk}:{meeting.sequence}"
    if not notice_event:
        notice_event = event if update else f"governance.series_invitation:{meeting.series_id}"
    context = {"sequence": meeting.sequence, "is_update": update}
    if notice_event == event:
        return participant_requests(meeting, people, event=event, template=INVITATION_TEMPLATE, context=context)
    return [
        *participant_requests(
            meeting, people, event=event, template=INVITATION_TEMPLATE, context=context, channels=(Channel.EMAIL,)
        ),
        *participant_requests(
            meeting,
            people,
            event=notice_event,
            template=INVITATION_TEMPLATE,
            context={**context, "series_notice": True},
            channels=(Channel.IN_APP,),
        ),
    ]


def send_update_if_invited(meeting, *, now: datetime, by=None, notice_event: str = "") -> None:
    """After a change participants must see: an update of the invitation, if they were invited already (not to
    ``by``, who made the change)."""
    if meeting.invited_sequence is None or meeting.status != MeetingStatus.SCHEDULED:
        return
    participants = participants_of([meeting.series_id])[meeting.series_id]
    notify_many(invitation_requests(meeting, participants, update=True, by=by, notice_event=notice_event), now=now)
    Meeting.objects.filter(pk=meeting.pk).update(invited_sequence=meeting.sequence)
    meeting.invited_sequence = meeting.sequence


def send_cancellation_if_invited(meeting, *, now: datetime, by=None) -> None:
    if meeting.invited_sequence is None:
        return
    participants = participants_of([meeting.series_id])[meeting.series_id]
    notify_many(
        participant_requests(
            meeting,
            _without_author(_without_organizer(meeting, participants), by),
            event=f"governance.cancellation:{meeting.pk}:{meeting.sequence}",
            template=CANCELLATION_TEMPLATE,
            context={"sequence": meeting.sequence},
        ),
        now=now,
    )
    Meeting.objects.filter(pk=meeting.pk).update(invited_sequence=meeting.sequence)


# --- The .ics attached to invitations -------------------------------------------------------------------------


def invitation_attachment(notification) -> list[tuple[str, bytes, str]]:
    """The invitation's ``.ics``, built when the mail leaves: a meeting cancelled since is not invited to any
    more, and an older update is not sent once a newer one is queued."""
    meeting = notification.target
    if meeting is None or meeting.status == MeetingStatus.CANCELLED:
        raise registry.Obsolete
    if int(notification.context.get("sequence", meeting.sequence)) < meeting.sequence:
        raise registry.Obsolete
    return [_ics_file(meeting, calendar.REQUEST)]


def cancellation_attachment(notification) -> list[tuple[str, bytes, str]]:
    meeting = notification.target
    if meeting is None:
        raise registry.Obsolete
    return [_ics_file(meeting, calendar.CANCEL)]


def _ics_file(meeting, method) -> tuple[str, bytes, str]:
    meeting = Meeting.objects.select_related("series", "engagement", "owner").get(pk=meeting.pk)
    people = _without_organizer(meeting, participants_of([meeting.series_id])[meeting.series_id])
    attendees = [(p.name, p.email) for p in people]
    content = calendar.meeting_ics(meeting, method=method, attendees=attendees)
    # The mail names the text part's charset itself: naming it here too would write it twice.
    return ("meeting.ics", content, f"text/calendar; method={method}")
