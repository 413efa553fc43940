"""The calendar files every output path writes (the staff and portal downloads, the feeds, the invitation and
cancellation mails), checked against RFC 5545/5546 and read back with a second parser (vobject) at fixed
instants: a July meeting in Warsaw and in New York, and meetings just after the spring change."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from governance import calendar, vtimezone
from governance.services import feeds, lifecycle
from governance.services import series as schedule
from notifications.models import Channel, Notification
from notifications.services import reminder_sweep
from notifications.services.relay import notification_email

from .factories import MeetingFactory, MeetingSeriesFactory, SeriesParticipantFactory

pytestmark = pytest.mark.django_db

WARSAW, NEW_YORK = ZoneInfo("Europe/Warsaw"), ZoneInfo("America/New_York")
# Local wall times, each with the UTC instant it is.
JULY_WARSAW = (datetime(2026, 7, 14, 10, 0), WARSAW, datetime(2026, 7, 14, 8, 0, tzinfo=UTC))
JULY_NEW_YORK = (datetime(2026, 7, 14, 10, 0), NEW_YORK, datetime(2026, 7, 14, 14, 0, tzinfo=UTC))
# 29 Mar 2026: Warsaw's clocks go from 02:00 to 03:00; 03:30 is half an hour after the change.
AFTER_SPRING_WARSAW = (datetime(2026, 3, 29, 3, 30), WARSAW, datetime(2026, 3, 29, 1, 30, tzinfo=UTC))
MONDAY_AFTER_SPRING_WARSAW = (datetime(2026, 3, 30, 10, 0), WARSAW, datetime(2026, 3, 30, 8, 0, tzinfo=UTC))
# 8 Mar 2026: New York's change; 10:00 on the Monday after.
AFTER_SPRING_NEW_YORK = (datetime(2026, 3, 9, 10, 0), NEW_YORK, datetime(2026, 3, 9, 14, 0, tzinfo=UTC))
WINTER_WARSAW = (datetime(2026, 1, 13, 10, 0), WARSAW, datetime(2026, 1, 13, 9, 0, tzinfo=UTC))
CASES = [JULY_WARSAW, JULY_NEW_YORK, AFTER_SPRING_WARSAW, MONDAY_AFTER_SPRING_WARSAW, AFTER_SPRING_NEW_YORK]
NOW = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def vobject_read(content: bytes):
    """The file as vobject reads it. vobject keeps the first VTIMEZONE it saw for a TZID for the rest of the
    process: forget them, so this file's own VTIMEZONE is the one read."""
    registry = vars(vobject.icalendar)["__tzidMap"]
    registry.clear()
    vobject.icalendar.registerTzid("UTC", vobject.icalendar.utc)
    return vobject.readOne(content.decode())


def vobject_starts(content: bytes) -> list[datetime]:
    parsed = vobject_read(content)
    return sorted(event.dtstart.value.astimezone(UTC) for event in parsed.vevent_list)


def meeting_at(engagement, local, zone, *, participants=True):
    series = MeetingSeriesFactory(
        engagement=engagement,
        starts_on=local.date(),
        weekday=local.weekday(),
        start_time=local.time(),
        time_zone=zone.key,
    )
    if participants:
        pm = engagement.pm
        # The organizer takes part in her meeting, as the default plans have it.
        SeriesParticipantFactory(series=series, user=pm, name=str(pm), email=pm.email)
        SeriesParticipantFactory(series=series, name="Kasia Key", email="kasia@acme.example", side="client")
    starts = local.replace(tzinfo=zone).astimezone(UTC)
    return MeetingFactory(series=series, starts_at=starts, original_start=starts, ends_at=starts + timedelta(hours=1))


def lines(content: bytes) -> list[str]:
    """The content lines, unfolded (RFC 5545 §3.1)."""
    return content.decode().replace("\r\n ", "").split("\r\n")


def attendee_addresses(content: bytes) -> list[str]:
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    attendees = event.get("ATTENDEE", [])
    return [str(a).lower() for a in (attendees if isinstance(attendees, list) else [attendees])]


@pytest.fixture
def _feed_clock(monkeypatch):
    monkeypatch.setattr(feeds.timezone, "now", lambda: NOW)


# --- PUBLISH carries no attendees; REQUEST asks them, not the organizer ------------------------------------------


def test_the_staff_download_and_the_feeds_are_publish_without_attendees(engagement, pm, client_key_user, _feed_clock):
    meeting = meeting_at(engagement, *JULY_WARSAW[:2])
    staff = Client()
    staff.force_login(pm)
    download = staff.get(reverse("governance:meeting_ics", args=[meeting.pk])).content
    feed = feeds.feed_subscribe(by=pm, engagement=engagement)
    engagement_feed = (
        Client().get(reverse("governance:engagement_feed", args=[engagement.pk, feeds.feed_token(feed)])).content
    )
    personal = feeds.feed_subscribe(by=pm)
    personal_feed = Client().get(reverse("governance:personal_feed", args=[feeds.feed_token(personal)])).content
    for content in (download, engagement_feed, personal_feed):
        parsed = Calendar.from_ical(content)
        assert parsed["METHOD"] == "PUBLISH"
        event = parsed.walk("VEVENT")[0]
        assert str(event["ORGANIZER"]).lower() == f"mailto:{pm.email}".lower()
        assert "ATTENDEE" not in event
        assert not any("RSVP" in line for line in lines(content))


def test_an_invitation_asks_the_participants_but_not_the_organizer(engagement, pm):
    meeting = meeting_at(engagement, *JULY_WARSAW[:2])
    content = calendar.meeting_ics(
        meeting,
        method=calendar.REQUEST,
        attendees=[(str(pm), pm.email.upper()), ("Kasia Key", "kasia@acme.example")],
        now=NOW,
    )
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert attendee_addresses(content) == ["mailto:kasia@acme.example"]
    assert event["ATTENDEE"].params["RSVP"] == "TRUE"
    assert str(event["ORGANIZER"]).lower() == f"mailto:{pm.email}".lower()


def test_the_organizer_is_not_sent_an_invitation_or_a_cancellation_of_her_own_meeting(engagement, pm, settings):
    settings.GOVERNANCE_HORIZON_WEEKS = 4
    meeting = meeting_at(engagement, datetime(2026, 1, 13, 10, 0), WARSAW)
    lifecycle.schedule_many([meeting], now=NOW)
    reminder_sweep(now=NOW, time_budget=30)
    invitations = Notification.objects.filter(template=lifecycle.INVITATION_TEMPLATE, channel=Channel.EMAIL)
    assert invitations.exists()
    assert {n.recipient_id for n in invitations} == {None}  # Kasia, by her address; not the PM
    assert {n.to_email for n in invitations} == {"kasia@acme.example"}
    content = lifecycle.invitation_attachment(invitations.get())[0][1]
    assert attendee_addresses(content) == ["mailto:kasia@acme.example"]
    schedule.meeting_cancel(by=pm, meeting=meeting, reason="Public holiday", now=NOW)
    cancellations = Notification.objects.filter(template=lifecycle.CANCELLATION_TEMPLATE, channel=Channel.EMAIL)
    assert {n.to_email for n in cancellations} == {"kasia@acme.example"}
    cancelled = lifecycle.cancellation_attachment(cancellations.get())[0][1]
    parsed = Calendar.from_ical(cancelled)
    assert parsed["METHOD"] == "CANCEL"
    assert not any("RSVP" in line for line in lines(cancelled))
    assert attendee_addresses(cancelled) == ["mailto:kasia@acme.example"]


def test_the_invitation_mail_names_its_charset_once(engagement, pm, settings):
    settings.GOVERNANCE_HORIZON_WEEKS = 4
    meeting = meeting_at(engagement, datetime(2026, 1, 13, 10, 0), WARSAW)
    lifecycle.schedule_many([meeting], now=NOW)
    reminder_sweep(now=NOW, time_budget=30)
    invitations = Notification.objects.filter(template=lifecycle.INVITATION_TEMPLATE, channel=Channel.EMAIL)
    assert invitations.exists()
    for invitation in invitations:
        message = notification_email(invitation).message()
        parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
        assert len(parts) == 1
        params = [key.lower() for key, _value in parts[0].get_params()]
        assert params.count("charset") == 1, parts[0]["Content-Type"]
        assert parts[0].get_param("method") == "REQUEST"
        assert parts[0].get_content_charset() == "utf-8"


# --- VTIMEZONE: transitions in the offset before them, as yearly rules ---------------------------------------------


def observances(content: bytes, tzid: str):
    zone = next(tz for tz in Calendar.from_ical(content).walk("VTIMEZONE") if str(tz["TZID"]) == tzid)
    return [c for c in zone.subcomponents if c.name in ("STANDARD", "DAYLIGHT")]


def test_the_spring_change_is_written_at_its_wall_time_before_the_change(engagement, pm):
    meeting = meeting_at(engagement, *JULY_WARSAW[:2], participants=False)
    content = calendar.meeting_ics(meeting, now=NOW)
    changes = [o for o in observances(content, "Europe/Warsaw") if o["TZOFFSETFROM"].td != o["TZOFFSETTO"].td]
    spring = next(o for o in changes if o.name == "DAYLIGHT")
    autumn = next(o for o in changes if o.name == "STANDARD")
    assert (spring.decoded("DTSTART").time(), spring["TZOFFSETFROM"].td) == (time(2, 0), timedelta(hours=1))
    assert (autumn.decoded("DTSTART").time(), autumn["TZOFFSETFROM"].td) == (time(3, 0), timedelta(hours=2))
    vtimezone_lines = [line for line in lines(content) if line.startswith(("DTSTART:", "RRULE:"))]
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in vtimezone_lines
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in vtimezone_lines


def test_no_rdate_line_lists_more_than_one_date(engagement):
    for local, zone, _utc in CASES:
        content = calendar.meeting_ics(meeting_at(engagement, local, zone, participants=False), now=NOW)
        assert all("," not in line for line in lines(content) if line.startswith("RDATE"))


@pytest.mark.parametrize(
    "zone",
    ["Europe/Warsaw", "America/New_York", "Australia/Sydney", "Asia/Jerusalem", "Asia/Tokyo", "Africa/Casablanca"],
)
def test_any_zone_reads_back_as_the_tz_database_has_it(zone):
    """Derived from the zone's transitions, whatever the zone: every hour of two years reads at the offset the
    tz database gives (Casablanca's changes follow no yearly rule: one RDATE a line). At half past: readers differ
    about the very second of a change, which no meeting starts at."""
    tz = vtimezone.vtimezone(zone, first=date(2026, 1, 1), last=date(2027, 12, 31)).to_tz(lookup_tzid=False)
    instant, end = datetime(2026, 1, 1, 0, 30, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
    while instant < end:
        assert instant.astimezone(tz).utcoffset() == instant.astimezone(ZoneInfo(zone)).utcoffset(), instant
        instant += timedelta(hours=1)


# --- A second parser reads each file at the right instant ---------------------------------------------------------


@pytest.mark.parametrize("case", CASES + [WINTER_WARSAW], ids=lambda c: f"{c[1].key}-{c[0]:%m-%d-%H%M}")
def test_vobject_reads_the_download_and_the_invitation_at_the_right_instant(case, engagement, pm):
    local, zone, instant = case
    meeting = meeting_at(engagement, local, zone)
    assert meeting.starts_at == instant
    staff = Client()
    staff.force_login(pm)
    download = staff.get(reverse("governance:meeting_ics", args=[meeting.pk])).content
    invitation = calendar.meeting_ics(
        meeting, method=calendar.REQUEST, attendees=[("Kasia Key", "kasia@acme.example")], now=NOW
    )
    for content in (download, invitation):
        assert vobject_starts(content) == [instant]
        event = vobject_read(content).vevent
        assert event.dtend.value.astimezone(UTC) == instant + timedelta(hours=1)


def test_vobject_reads_a_feed_across_zones_and_seasons_at_the_right_instants(engagement, pm, _feed_clock):
    for local, zone, _utc in CASES:
        meeting_at(engagement, local, zone)
    feed = feeds.feed_subscribe(by=pm, engagement=engagement)
    content = Client().get(reverse("governance:engagement_feed", args=[engagement.pk, feeds.feed_token(feed)])).content
    assert sorted(str(tz["TZID"]) for tz in Calendar.from_ical(content).walk("VTIMEZONE")) == [
        "America/New_York",
        "Europe/Warsaw",
    ]
    assert vobject_starts(content) == sorted(utc for _local, _zone, utc in CASES)


def test_vobject_reads_the_portal_download_at_the_right_instant(weekly, client_key_user):
    meeting = weekly[0]
    portal = Client()
    portal.force_login(client_key_user)
    response = portal.get(reverse("portal:meeting_ics", args=[meeting.pk]))
    assert response.status_code == 200
    assert Calendar.from_ical(response.content)["METHOD"] == "PUBLISH"
    assert "ATTENDEE" not in response.content.decode()
    assert vobject_starts(response.content) == [meeting.starts_at]
