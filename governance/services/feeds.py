"""Calendar feeds: subscribing (one live feed per person and scope), revoking, and reading a feed by its token.

The token is the feed's nonce signed with ``SECRET_KEY`` (``feed_token``); ``feed_for_token`` answers None for a
forged, revoked or foreign token, and for an owner who is no longer active, so the view gives 404 alike.
"""

from datetime import datetime, timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from engagements import policy

from ..models import CalendarFeed, Meeting, SeriesParticipant

_SIGNER = signing.Signer(salt="governance.calendar-feed", sep=".")
# Feeds show the last 90 days and everything generated ahead.
FEED_PAST = timedelta(days=90)


def feed_token(feed: CalendarFeed) -> str:
    return _SIGNER.sign(feed.nonce)


def feed_for_token(token: str, *, engagement_id: int | None = None) -> CalendarFeed | None:
    """The active feed behind ``token`` (of ``engagement_id``, or a personal feed when None), else None."""
    try:
        nonce = _SIGNER.unsign(token)
    except signing.BadSignature:
        return None
    feed = CalendarFeed.objects.active().select_related("owner", "engagement").filter(nonce=nonce).first()
    if feed is None or not feed.owner.is_active or feed.engagement_id != engagement_id:
        return None
    if feed.engagement is not None and not policy.may_see(feed.owner, feed.engagement):
        return None
    return feed


def feed_subscribe(*, by, engagement=None, now: datetime | None = None) -> CalendarFeed:
    """The person's live feed (of ``engagement``, or of their own meetings), made once."""
    now = now or timezone.now()
    if engagement is not None and not policy.may_see(by, engagement):
        raise PermissionDenied
    existing = CalendarFeed.objects.active().filter(owner=by, engagement=engagement).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(owner=by, engagement=engagement, created_at=now)
    except IntegrityError:
        # Subscribed twice at once: the unique constraint kept one.
        return CalendarFeed.objects.active().get(owner=by, engagement=engagement)


@transaction.atomic
def feed_revoke(*, by, feed: CalendarFeed, now: datetime | None = None) -> CalendarFeed:
    """Stop a feed at once; subscribing again gives a new URL."""
    now = now or timezone.now()
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    if feed.owner_id != by.pk:
        raise PermissionDenied
    if feed.revoked_at is None:
        feed.revoked_at = now
        feed.save(update_fields=["revoked_at"])
    return feed


def feed_meetings(feed: CalendarFeed, *, now: datetime):
    """What the feed shows its owner now: the engagement's meetings they may see, or the meetings they take part
    in or own; cancelled ones too (as cancelled)."""
    meetings = Meeting.objects.visible_to(feed.owner).filter(starts_at__gte=now - FEED_PAST)
    if feed.engagement_id is not None:
        meetings = meetings.filter(engagement_id=feed.engagement_id)
    else:
        meetings = meetings.filter(meetings_taking_part(feed.owner))
    return meetings.select_related("series", "engagement", "owner").order_by("starts_at", "pk")


def meetings_taking_part(user) -> Q:
    """A filter on ``Meeting``: the meetings ``user`` is a participant of (by their series) or owns."""
    participant = SeriesParticipant.objects.filter(series_id=OuterRef("series_id"), user=user)
    return Q(owner=user) | Exists(participant)
