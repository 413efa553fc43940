"""iCalendar output, parsed back with the icalendar library: a meeting's .ics, feeds across a summer-time
change with a cancelled occurrence, and feed tokens that are unguessable, revocable and scoped."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from engagements.tests.factories import EngagementMemberFactory
from governance.models import CalendarFeed, Meeting
from governance.services import feeds, plan
from governance.services import series as schedule

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
# Two weeks before summer time starts in Berlin (29 Mar 2026).
NOW = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    """The feeds show what is recent as of the request: pin their clock to the scenario's."""
    monkeypatch.setattr(feeds.timezone, "now", lambda: NOW)


@pytest.fixture
def weekly(cadences, mapped_engagement, pm, settings):
    settings.GOVERNANCE_HORIZON_WEEKS = 4
    plan.plan_apply(
        by=pm,
        engagement=mapped_engagement,
        cadence_keys=["weekly-status"],
        time_zone="Europe/Berlin",
        language="en",
        starts_on=NOW.date(),
        now=NOW,
    )
    meetings = list(Meeting.objects.order_by("starts_at"))
    schedule.meeting_cancel(by=pm, meeting=meetings[1], reason="Easter holidays", now=NOW)
    return meetings


def fetch(url, client=None):
    response = (client or Client()).get(url)
    return response, Calendar.from_ical(response.content) if response.status_code == 200 else None


def feed_url(feed):
    token = feeds.feed_token(feed)
    if feed.engagement_id:
        return reverse("governance:engagement_feed", args=[feed.engagement_id, token])
    return reverse("governance:personal_feed", args=[token])


def test_an_engagement_feed_is_valid_icalendar_across_summer_time_with_the_cancelled_one(weekly, mapped_engagement, pm):
    feed = feeds.feed_subscribe(by=pm, engagement=mapped_engagement)
    response, parsed = fetch(feed_url(feed))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert parsed["VERSION"] == "2.0" and parsed["PRODID"]
    events = sorted(parsed.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert len(events) == 4
    starts = [e.decoded("DTSTART") for e in events]
    # Tuesdays at 10:00 in Berlin: 09:00 UTC before the change, 08:00 UTC after.
    assert [s.astimezone(UTC).time() for s in starts] == [time(9), time(9), time(8), time(8)]
    assert {s.astimezone(BERLIN).time() for s in starts} == {time(10)}
    assert {str(e["DTSTART"].params["TZID"]) for e in events} == {"Europe/Berlin"}
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CANCELLED", "CONFIRMED", "CONFIRMED"]
    assert events[1]["SEQUENCE"] == 1 and "Easter holidays" in str(events[1]["DESCRIPTION"])
    assert len({str(e["UID"]) for e in events}) == 4
    for event in events:
        assert event.decoded("DTEND") > event.decoded("DTSTART")
        assert event["DTSTAMP"]


def test_a_meeting_ics_download(weekly, pm, client):
    client.force_login(pm)
    response = client.get(reverse("governance:meeting_ics", args=[weekly[0].pk]))
    parsed = Calendar.from_ical(response.content)
    event = parsed.walk("VEVENT")[0]
    assert event.decoded("DTSTART") == weekly[0].starts_at
    assert "attachment" in response["Content-Disposition"]


def test_a_revoked_token_stops_the_feed_at_once_and_a_new_one_works(weekly, mapped_engagement, pm):
    feed = feeds.feed_subscribe(by=pm, engagement=mapped_engagement)
    assert feeds.feed_subscribe(by=pm, engagement=mapped_engagement) == feed  # one live feed per scope
    url = feed_url(feed)
    assert fetch(url)[0].status_code == 200
    feeds.feed_revoke(by=pm, feed=feed)
    assert fetch(url)[0].status_code == 404
    fresh = feeds.feed_subscribe(by=pm, engagement=mapped_engagement)
    assert fresh != feed and fetch(feed_url(fresh))[0].status_code == 200


def test_a_token_is_unguessable_and_bound_to_its_engagement(
    weekly, mapped_engagement, other_engagement, pm, other_client_user
):
    feed = feeds.feed_subscribe(by=pm, engagement=mapped_engagement)
    token = feeds.feed_token(feed)
    nonce, _sep, signature = token.partition(".")
    assert len(nonce) >= 32 and signature
    # A forged signature, or the bare nonce read from the database, gives nothing.
    for forged in (nonce, f"{nonce}.{'A' * len(signature)}"):
        assert (
            Client().get(reverse("governance:engagement_feed", args=[mapped_engagement.pk, forged])).status_code == 404
        )
    # Another client's valid token, against this engagement, gives nothing.
    theirs = feeds.feed_subscribe(by=other_client_user, engagement=other_engagement)
    url = reverse("governance:engagement_feed", args=[mapped_engagement.pk, feeds.feed_token(theirs)])
    assert Client().get(url).status_code == 404
    # Nor does a personal token used as an engagement's, or the other way round.
    mine = feeds.feed_subscribe(by=pm)
    assert (
        Client()
        .get(reverse("governance:engagement_feed", args=[mapped_engagement.pk, feeds.feed_token(mine)]))
        .status_code
        == 404
    )
    assert Client().get(reverse("governance:personal_feed", args=[token])).status_code == 404


def test_a_feed_shows_only_what_its_owner_may_see_now(
    weekly, mapped_engagement, team_member, client_key_user, cadences
):
    from governance.models import CadenceTemplate

    handoff = CadenceTemplate.objects.get(key="handoff", language="en")
    internal = schedule.meeting_add(
        by=mapped_engagement.pm,
        engagement=mapped_engagement,
        title="",
        starts_at=datetime(2026, 3, 20, 9, 0, tzinfo=UTC),
        duration_minutes=60,
        cadence=handoff,
        now=NOW,
    )
    client_feed = feeds.feed_subscribe(by=client_key_user, engagement=mapped_engagement)
    _response, parsed = fetch(feed_url(client_feed))
    summaries = [str(e["SUMMARY"]) for e in parsed.walk("VEVENT")]
    assert summaries and not any(internal.title in s for s in summaries)
    # A team member's feed stops when they leave the team; a deactivated owner's at once.
    team_feed = feeds.feed_subscribe(by=team_member, engagement=mapped_engagement)
    assert fetch(feed_url(team_feed))[0].status_code == 200
    mapped_engagement.members.filter(user=team_member).delete()
    assert fetch(feed_url(team_feed))[0].status_code == 404
    EngagementMemberFactory(engagement=mapped_engagement, user=team_member)
    team_member.is_active = False
    team_member.save()
    assert fetch(feed_url(team_feed))[0].status_code == 404


def test_a_personal_feed_has_the_meetings_one_takes_part_in(weekly, pm, csm):
    mine = feeds.feed_subscribe(by=pm)
    _response, parsed = fetch(feed_url(mine))
    assert len(parsed.walk("VEVENT")) == 4
    # The CSM is not among the weekly status meeting's participants.
    theirs = feeds.feed_subscribe(by=csm)
    assert fetch(feed_url(theirs))[1].walk("VEVENT") == []
    assert CalendarFeed.objects.active().count() == 2


def test_subscribing_needs_to_see_the_engagement(other_engagement, pm):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        feeds.feed_subscribe(by=pm, engagement=other_engagement)
    assert not CalendarFeed.objects.exists()


def test_only_its_owner_revokes_a_feed(weekly, mapped_engagement, pm, csm):
    from django.core.exceptions import PermissionDenied

    feed = feeds.feed_subscribe(by=pm, engagement=mapped_engagement)
    with pytest.raises(PermissionDenied):
        feeds.feed_revoke(by=csm, feed=feed)
    feed.refresh_from_db()
    assert feed.revoked_at is None


def test_a_year_of_weekly_meetings_stays_at_ten_oclock(cadences, mapped_engagement, pm, settings):
    settings.GOVERNANCE_HORIZON_WEEKS = 52
    plan.plan_apply(
        by=pm,
        engagement=mapped_engagement,
        cadence_keys=["weekly-status"],
        time_zone="Europe/Berlin",
        language="en",
        starts_on=date(2026, 1, 5),
        now=datetime(2026, 1, 5, 0, 0, tzinfo=UTC),
    )
    starts = list(Meeting.objects.values_list("starts_at", flat=True))
    assert len(starts) == 52
    assert {s.astimezone(BERLIN).time() for s in starts} == {time(10)}
    assert {s.astimezone(UTC).hour for s in starts} == {8, 9}
