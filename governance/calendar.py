"""iCalendar (RFC 5545) output: a meeting's ``.ics`` (attached to invitations with ``METHOD:REQUEST`` or
``METHOD:CANCEL``, RFC 5546) and subscribable feeds.

Each meeting is one VEVENT with a UID for its whole life and a SEQUENCE that goes up with every change
participants must see, so calendar programs update the entry they have instead of adding a second one. Times are
written in the series' time zone (with its VTIMEZONE, see ``vtimezone``), so a weekly 10:00 meeting shows at 10:00
on both sides of a summer-time change.

Per RFC 5546 a download or a feed is ``PUBLISH``: its events have an ORGANIZER and no ATTENDEE (nobody is asked to
reply). An invitation (``REQUEST``) lists the participants as ATTENDEEs asked to reply, and a ``CANCEL`` lists them
without; the organizer is never one of her own attendees.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from . import vtimezone
from .models import Meeting, MeetingStatus

PRODID = "-//Onboarding Portal//Governance//EN"
REQUEST, CANCEL, PUBLISH = "REQUEST", "CANCEL", "PUBLISH"


def _uid(meeting: Meeting) -> str:
    return f"{meeting.uid}@{settings.NOTIFICATIONS_MESSAGE_ID_DOMAIN}"


def _address(email: str, name: str, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key.replace("_", "-")] = vText(value)
    return address


def _event(meeting: Meeting, *, now: datetime, method: str, attendees=(), link: str = "") -> Event:
    cancelled = method == CANCEL
    zone = meeting.series.zone
    event = Event()
    event.add("uid", _uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", f"{meeting.title} · {meeting.engagement.name}")
    description = [meeting.series.purpose] if meeting.series.purpose else []
    if meeting.change_reason and (cancelled or meeting.is_moved):
        description.append(meeting.change_reason)
    if link:
        description.append(link)
        event.add("url", link)
    if description:
        event.add("description", "\n\n".join(description))
    event.add("status", "CANCELLED" if cancelled or meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    owner = meeting.owner
    event.add("organizer", _address(owner.email, str(owner)))
    if method == PUBLISH:
        return event
    # A reply is asked for in an invitation only; a cancellation just names who is told.
    reply = {"partstat": "NEEDS-ACTION", "rsvp": "TRUE"} if method == REQUEST else {}
    seen = {owner.email.lower()}
    for name, email in attendees:
        if email and email.lower() not in seen:
            seen.add(email.lower())
            event.add("attendee", _address(email, name, role="REQ-PARTICIPANT", cutype="INDIVIDUAL", **reply))
    return event


def _add_timezones(calendar: Calendar, meetings) -> None:
    """One VTIMEZONE per zone the meetings are written in, ahead of the events, covering their dates."""
    spans = {}
    for meeting in meetings:
        zone = meeting.series.zone
        days = (meeting.starts_at.astimezone(zone).date(), meeting.ends_at.astimezone(zone).date())
        first, last = spans.get(zone.key, days)
        spans[zone.key] = (min(first, days[0]), max(last, days[1]))
    for position, (key, (first, last)) in enumerate(sorted(spans.items())):
        calendar.subcomponents.insert(position, vtimezone.vtimezone(key, first=first, last=last))


def _calendar(*, method: str | None, name: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def meeting_ics(meeting: Meeting, *, method: str = PUBLISH, attendees=(), link: str = "", now=None) -> bytes:
    """One meeting as an iCalendar object. ``method`` REQUEST (an invitation or its update, to ``attendees``),
    CANCEL (the meeting is off) or PUBLISH (a download: no attendees)."""
    now = now or timezone.now()
    calendar = _calendar(method=method)
    calendar.add_component(_event(meeting, now=now, method=method, attendees=attendees, link=link))
    _add_timezones(calendar, [meeting])
    return calendar.to_ical()


def feed_ics(meetings, *, name: str, link_for=None, now=None) -> bytes:
    """A subscribable feed: each meeting (cancelled ones as CANCELLED, so subscribers see them go)."""
    now = now or timezone.now()
    calendar = _calendar(method=PUBLISH, name=name)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    meetings = list(meetings)
    for meeting in meetings:
        calendar.add_component(_event(meeting, now=now, method=PUBLISH, link=link_for(meeting) if link_for else ""))
    _add_timezones(calendar, meetings)
    return calendar.to_ical()
