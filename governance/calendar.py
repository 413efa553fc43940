"""iCalendar (RFC 5545) output: a meeting's ``.ics`` (attached to invitations with ``METHOD:REQUEST`` or
``METHOD:CANCEL``, RFC 5546) and subscribable feeds.

Each meeting is one VEVENT with a UID for its whole life and a SEQUENCE that goes up with every change
participants must see, so calendar programs update the entry they have instead of adding a second one. Times are
written in the series' time zone (with its VTIMEZONE), so a weekly 10:00 meeting shows at 10:00 on both sides of a
summer-time change.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

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


def _event(meeting: Meeting, *, now: datetime, attendees=(), link: str = "", cancelled: bool = False) -> Event:
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
    for name, email in attendees:
        if email:
            event.add(
                "attendee",
                _address(
                    email, name, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp="TRUE", cutype="INDIVIDUAL"
                ),
            )
    return event


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
    """One meeting as an iCalendar object. ``method`` REQUEST (an invitation or its update), CANCEL (the
    meeting is off) or PUBLISH (a download)."""
    now = now or timezone.now()
    calendar = _calendar(method=method)
    calendar.add_component(_event(meeting, now=now, attendees=attendees, link=link, cancelled=method == CANCEL))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_ics(meetings, *, name: str, link_for=None, now=None) -> bytes:
    """A subscribable feed: each meeting (cancelled ones as CANCELLED, so subscribers see them go)."""
    now = now or timezone.now()
    calendar = _calendar(method=PUBLISH, name=name)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for meeting in meetings:
        calendar.add_component(_event(meeting, now=now, link=link_for(meeting) if link_for else ""))
    calendar.add_missing_timezones()
    return calendar.to_ical()
