"""A meeting's agenda, attendance and outcomes, edited before and during the meeting.

The agenda becomes rows when it is *prepared*: by the meeting's reminder (``agenda_lead_hours`` before), by the
owner's "Prepare the agenda", or by the first edit. Until then the meeting page shows the series' sections and
the live data as a preview (a page view never writes). Preparing copies the series' sections and participants
and adds the live entries (``agenda.py``); preparing again adds only what is new (an entry's ``source_ref`` is
unique per meeting).
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from engagements.models import Side

from .. import agenda, permissions
from ..models import (
    ActionStatus,
    AgendaItem,
    Attendance,
    GovernancePlan,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    Outcome,
    OutcomeKind,
    SeriesParticipant,
)
from . import actions, lifecycle

# A meeting may be marked held from shortly before it starts (people join early).
HELD_EARLIEST = 30  # minutes before the start


def _require_run(by, meeting):
    if not permissions.may_run_meeting(by, meeting):
        raise PermissionDenied


def _editable(meeting):
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("The meeting was cancelled."))


def plan_language(engagement_id) -> str:
    plan = GovernancePlan.objects.filter(engagement_id=engagement_id).only("language").first()
    return plan.language if plan else settings.LANGUAGE_CODE


def previous_meeting(meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(series_id=meeting.series_id, starts_at__lt=meeting.starts_at)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-starts_at")
        .first()
    )


def live_entries(meeting, *, now: datetime) -> list[tuple[agenda.AgendaSource, list[agenda.AgendaEntry]]]:
    """What each registered source puts on this meeting's agenda now, in the plan's language."""
    previous = previous_meeting(meeting)
    since = previous.starts_at if previous else meeting.engagement.created_at
    with translation.override(plan_language(meeting.engagement_id)):
        return [(source, source.provider(meeting=meeting, since=since, now=now)) for source in agenda.sources()]


@transaction.atomic
def agenda_prepare(*, meeting: Meeting, now: datetime | None = None, by=None) -> int:
    """Make the agenda rows (sections, live entries) and the attendance list; again later, add the live entries
    that are new. Returns the number of agenda rows added."""
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("series", "engagement").get(pk=meeting.pk)
    if by is not None:
        _require_run(by, meeting)
    _editable(meeting)
    rows = list(meeting.agenda_items.all())
    added = 0
    if meeting.agenda_prepared_at is None and not rows:
        sections = [
            AgendaItem(
                meeting=meeting,
                position=(index + 1) * 10,
                title=section.title,
                guidance=section.guidance,
                live_source=section.live_source,
                created_at=now,
            )
            for index, section in enumerate(meeting.series.sections.all())
        ]
        rows = AgendaItem.objects.bulk_create(sections)
        added += len(rows)
    if not meeting.attendees.exists():
        MeetingAttendee.objects.bulk_create(
            MeetingAttendee(meeting=meeting, user=p.user, side=p.side, name=p.name, email=p.email)
            for p in SeriesParticipant.objects.filter(series_id=meeting.series_id).select_related("user")
            if not (meeting.is_internal and p.side != Side.VENDOR)
        )
    sections = {row.live_source: row for row in rows if row.parent_id is None and row.live_source}
    known = {row.source_ref for row in rows if row.source_ref}
    next_position = max((row.position for row in rows if row.parent_id is None), default=0)
    language = plan_language(meeting.engagement_id)
    entries_to_add = []
    for source, entries in live_entries(meeting, now=now):
        fresh = [entry for entry in entries if entry.ref not in known]
        if not fresh:
            continue
        section = sections.get(source.key)
        if section is None:
            next_position += 10
            with translation.override(language):
                title = str(source.label)
            section = AgendaItem.objects.create(
                meeting=meeting, position=next_position, title=title, live_source=source.key, created_at=now
            )
            sections[source.key] = section
            added += 1
        last = section.entries.aggregate(last=Max("position"))["last"] or 0
        for offset, entry in enumerate(fresh, start=1):
            entries_to_add.append(
                AgendaItem(
                    meeting=meeting,
                    parent=section,
                    position=last + offset * 10,
                    title=entry.title[:300],
                    detail=entry.detail[:500],
                    live_source=source.key,
                    source_ref=entry.ref[:100],
                    url=entry.url[:300],
                    is_internal=not entry.client_visible,
                    action_item_id=entry.action_item_id,
                    created_at=now,
                )
            )
            known.add(entry.ref)
    # ignore_conflicts: a racing refresh may have added the same entry; the unique ref keeps it once.
    AgendaItem.objects.bulk_create(entries_to_add, batch_size=1000, ignore_conflicts=True)
    added += len(entries_to_add)
    if meeting.agenda_prepared_at is None:
        Meeting.objects.filter(pk=meeting.pk).update(agenda_prepared_at=now, updated_at=now)
    return added


def _meeting_for_edit(by, meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("engagement", "series").get(pk=meeting.pk)
    _require_run(by, meeting)
    _editable(meeting)
    return meeting


def _prepared(by, meeting, now) -> Meeting:
    if meeting.agenda_prepared_at is None:
        agenda_prepare(meeting=meeting, now=now, by=by)
    return _meeting_for_edit(by, meeting)


@transaction.atomic
def agenda_item_add(
    *,
    by,
    meeting: Meeting,
    title: str,
    guidance: str = "",
    parent: AgendaItem | None = None,
    is_internal=False,
    now=None,
) -> AgendaItem:
    now = now or timezone.now()
    meeting = _prepared(by, meeting, now)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the agenda item a title.")})
    if parent is not None and (parent.meeting_id != meeting.pk or parent.parent_id is not None):
        raise ValidationError(_("Add items to a section of this meeting's agenda."))
    siblings = meeting.agenda_items.filter(parent=parent)
    last = siblings.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem(
        meeting=meeting,
        parent=parent,
        position=last + 10,
        title=title[:300],
        guidance=guidance,
        is_internal=is_internal or meeting.is_internal,
        created_at=now,
    )
    item.full_clean()
    item.save()
    return item


EDITABLE_ITEM_FIELDS = ("title", "guidance", "minutes", "internal_notes", "is_internal")


@transaction.atomic
def agenda_item_update(*, by, item: AgendaItem, now=None, **changes) -> AgendaItem:
    """Change an agenda item: its title, guidance, minutes (shared with the client), internal notes, or whether it
    is vendor-internal."""
    unknown = set(changes) - set(EDITABLE_ITEM_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    meeting = _meeting_for_edit(by, item.meeting)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk, meeting=meeting)
    if "title" in changes:
        changes["title"] = (changes["title"] or "").strip()
        if not changes["title"]:
            raise ValidationError({"title": _("Give the agenda item a title.")})
    for name, value in changes.items():
        setattr(item, name, value)
    if meeting.is_internal:
        item.is_internal = True
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def agenda_item_delete(*, by, item: AgendaItem) -> None:
    """Remove an agenda item (a section with its entries). Its outcomes stay on the meeting (an action item
    given cannot vanish with the line it was given on)."""
    _meeting_for_edit(by, item.meeting)
    item.delete()


@transaction.atomic
def agenda_item_move(*, by, item: AgendaItem, direction: str) -> None:
    """Swap an agenda item with its neighbour among its siblings."""
    meeting = _meeting_for_edit(by, item.meeting)
    siblings = list(
        meeting.agenda_items.filter(parent_id=item.parent_id).select_for_update().order_by("position", "pk")
    )
    index = next((i for i, sibling in enumerate(siblings) if sibling.pk == item.pk), None)
    other = {"up": -1, "down": 1}.get(direction)
    if index is None or other is None or not 0 <= index + other < len(siblings):
        return
    siblings[index], siblings[index + other] = siblings[index + other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        sibling.position = position * 10
    AgendaItem.objects.bulk_update(siblings, ["position"])


# --- Attendance and holding the meeting -----------------------------------------------------------------------


@transaction.atomic
def attendance_set(*, by, attendee: MeetingAttendee, attendance: str) -> MeetingAttendee:
    _meeting_for_edit(by, attendee.meeting)
    if attendance not in Attendance.values:
        raise ValidationError({"attendance": _("Choose attended, excused, absent or invited.")})
    attendee.attendance = attendance
    attendee.save(update_fields=["attendance"])
    return attendee


@transaction.atomic
def attendee_add(*, by, meeting: Meeting, name: str, email: str = "", side: str = Side.VENDOR, now=None):
    """A guest who joined without being a participant of the series."""
    now = now or timezone.now()
    meeting = _prepared(by, meeting, now)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the attendee's name.")})
    if side not in Side.values or (meeting.is_internal and side != Side.VENDOR):
        raise ValidationError({"side": _("Choose a side the meeting has.")})
    attendee = MeetingAttendee(meeting=meeting, name=name[:150], email=email, side=side, attendance=Attendance.ATTENDED)
    attendee.full_clean()
    attendee.save()
    return attendee


@transaction.atomic
def meeting_mark_held(*, by, meeting: Meeting, now=None) -> Meeting:
    """The meeting took place (also after it was flagged missed: the flag for late minutes stays)."""
    now = now or timezone.now()
    meeting = _meeting_for_edit(by, meeting)
    if meeting.status == MeetingStatus.HELD:
        return meeting
    if now < meeting.starts_at - timedelta(minutes=HELD_EARLIEST):
        raise ValidationError(_("The meeting has not started yet."))
    meeting.status = MeetingStatus.HELD
    meeting.held_at = now
    meeting.updated_at = now
    meeting.save(update_fields=["status", "held_at", "updated_at"])
    lifecycle.schedule_many([meeting], now=now)
    return meeting


# --- Outcomes -------------------------------------------------------------------------------------------------


@transaction.atomic
def outcome_add(
    *,
    by,
    item: AgendaItem,
    kind: str,
    text: str,
    is_internal: bool = False,
    owner=None,
    owner_side: str = "",
    due_on: date | None = None,
    now=None,
) -> Outcome:
    """Record an outcome on an agenda item: information, a decision, or an action item (owner, side, due date).
    A client-side action item shows among the client's tasks once the minutes are shared."""
    now = now or timezone.now()
    meeting = _meeting_for_edit(by, item.meeting)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the outcome.")})
    if kind not in OutcomeKind.values:
        raise ValidationError({"kind": _("Choose information, decision or action item.")})
    outcome = Outcome(
        engagement_id=meeting.engagement_id,
        meeting=meeting,
        agenda_item=item,
        kind=kind,
        text=text,
        is_internal=is_internal or item.is_internal or meeting.is_internal,
        created_by=by,
        created_at=now,
    )
    if kind == OutcomeKind.ACTION:
        if owner_side not in Side.values:
            raise ValidationError({"owner_side": _("Say which side the action item is for.")})
        if due_on is None:
            raise ValidationError({"due_on": _("Give the action item a due date.")})
        if owner_side == Side.CLIENT and meeting.is_internal:
            raise ValidationError({"owner_side": _("A vendor-internal meeting gives the client no action items.")})
        if owner is not None and owner not in actions.owner_choices(meeting.engagement, side=owner_side):
            raise ValidationError({"owner": _("The owner must be on the side the action item belongs to.")})
        if owner_side == Side.CLIENT:
            outcome.is_internal = False
        outcome.owner, outcome.owner_side, outcome.due_on = owner, owner_side, due_on
        outcome.status = ActionStatus.OPEN
    outcome.full_clean()
    outcome.save()
    if outcome.is_action:
        actions.action_item_reminder_sync(outcome, now=now)
    return outcome


@transaction.atomic
def outcome_delete(*, by, outcome: Outcome, now=None) -> None:
    """Remove an outcome recorded by mistake; a shared one disappears from the next version of the minutes."""
    now = now or timezone.now()
    _meeting_for_edit(by, outcome.meeting)
    if outcome.is_action:
        actions.action_item_reminder_cancel(outcome, now=now)
    outcome.delete()
