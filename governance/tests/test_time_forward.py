"""With time moved forward, on PostgreSQL and Redis, with real Celery worker and beat processes (never eager):
a promise passes unkept and breaks (once), is on the next meeting's agenda and changes the engagement's health;
a meeting nobody held is flagged missed (with its minutes late) and counts in the meeting health; the meetings
ahead are invited and reminded; every reminder fires once, also with two workers sweeping at once.

"Time moved forward" is the plan applied two weeks ago: the worker processes run on the real clock, and the
rows carry due times that have passed since, exactly as after a weekend with the system running.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from engagements import health
from engagements.models import Promise
from engagements.services import promise_notices, promise_record
from governance.models import MEETING_SOURCE, Meeting, MeetingStatus
from governance.selectors import meeting_health
from governance.services import agenda, lifecycle, plan
from notifications.tests.processes import (
    SHARED_REDIS_URL,
    Celery,
    SmtpSink,
    fast_ticks,
    flush_shared_redis,
    sql,
    wait_for,
)

from .factories import default_cadences

pytestmark = [pytest.mark.postgres, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _reminders_settled(past_ids):
    done = sql(
        "SELECT count(*) FROM notifications_reminder WHERE kind = %s AND target_id = ANY(%s) AND status = 'pending'",
        [lifecycle.MEETING_KIND, [str(pk) for pk in past_ids]],
    )[0][0]
    return done == 0


def _fast_governance_ticks():
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(task__startswith="governance.").update(interval=every, expire_seconds=1)


def test_time_moved_forward_breaks_the_promise_flags_the_missed_meeting_and_fires_each_reminder_once(
    mapped_engagement, pm, csm
):
    default_cadences()
    flush_shared_redis()
    fast_ticks()
    _fast_governance_ticks()
    two_weeks_ago = timezone.now() - timedelta(days=15)
    plan.plan_apply(
        by=pm,
        engagement=mapped_engagement,
        cadence_keys=["weekly-status", "steering"],
        time_zone="Europe/Berlin",
        language="en",
        starts_on=two_weeks_ago.date(),
        now=two_weeks_ago,
    )
    # A promise made back then, due yesterday: nobody kept it.
    promise = promise_record(
        by=pm,
        engagement=mapped_engagement,
        description="We send the test report by Friday 12:00",
        owner=pm,
        due_at=timezone.now() - timedelta(days=1),
        source=MEETING_SOURCE,
        source_object=Meeting.objects.order_by("starts_at").first(),
        now=two_weeks_ago,
    )
    health_before, _values = health.health_of(mapped_engagement, today=timezone.localdate())
    past = list(Meeting.objects.filter(ends_at__lt=timezone.now()).select_related("series"))
    overdue = [m for m in past if lifecycle.minutes_due_at(m, m.series) < timezone.now()]
    assert overdue, "at least one meeting is past its two working days"
    with SmtpSink() as smtp, Celery(broker_url=SHARED_REDIS_URL, smtp_port=smtp.port) as celery:
        # Two workers: sweeps run side by side and must still fire each reminder once.
        celery.worker("w1", concurrency=2)
        celery.worker("w2", concurrency=2)
        celery.beat()
        try:
            wait_for(lambda: _reminders_settled([m.pk for m in overdue]), 90, what="the overdue meetings' reminders")
            wait_for(
                lambda: Promise.objects.filter(pk=promise.pk, broken_at__isnull=False).exists(),
                60,
                what="the promise to break",
            )
            wait_for(
                lambda: (
                    sql(
                        "SELECT count(*) FROM notifications_notification WHERE status = 'pending' AND channel = 'email'"
                    )
                    == [(0,)]
                ),
                60,
                what="the mail to go out",
            )
        except AssertionError:
            raise AssertionError(celery.logs()) from None
    # The promise broke once (one mail to each of its people), is on the next meeting's agenda, and counts in health.
    broken_mail = sql(
        "SELECT recipient_id, count(*) FROM notifications_notification WHERE template = %s AND channel = 'email'"
        " GROUP BY recipient_id",
        [promise_notices.BROKEN_TEMPLATE],
    )
    assert dict(broken_mail) == {pm.pk: 1, csm.pk: 1}
    following = Meeting.objects.filter(starts_at__gt=timezone.now(), status=MeetingStatus.SCHEDULED).first()
    # Read from the live source: whether the workers already prepared that meeting's agenda (and so froze its rows)
    # depends on the weekday and hour the test runs at.
    live = {
        entry.ref: entry for _source, entries in agenda.live_entries(following, now=timezone.now()) for entry in entries
    }
    assert "broken" in live[f"commitment:{promise.pk}"].detail
    health_after, values = health.health_of(mapped_engagement, today=timezone.localdate())
    assert values["broken_promises"] == 1 and health_after != health_before
    for meeting in overdue:
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.MISSED and meeting.minutes_late_at is not None
    recent = meeting_health(engagement_ids=[mapped_engagement.pk], now=timezone.now())[mapped_engagement.pk]
    assert recent.missed == len(overdue) and recent.share == 0
    # Once: each step's notification exists once per recipient and channel, and each email left once.
    assert (
        sql("SELECT event, recipient_id, channel FROM notifications_notification GROUP BY 1, 2, 3 HAVING count(*) > 1")
        == []
    )
    missed_mail = sql(
        "SELECT recipient_id FROM notifications_notification WHERE template = %s AND channel = 'email'",
        [lifecycle.MISSED_TEMPLATE],
    )
    assert Counter(r for (r,) in missed_mail) == Counter({pm.pk: len(overdue), csm.pk: len(overdue)})
    assert set(Counter(smtp.keys()).values()) == {1}
    # The meetings ahead within four weeks were invited, once each (the key user takes part in both series; the
    # PM organizes them, so she sends the invitations rather than receives them).
    ahead = Meeting.objects.filter(starts_at__gt=timezone.now(), starts_at__lt=timezone.now() + timedelta(days=28))
    assert ahead.exists() and not ahead.filter(invited_sequence__isnull=True).exists()
    key_user = mapped_engagement.stakeholders.get(is_key_user=True).user
    invitations = sql(
        "SELECT target_id, count(*) FROM notifications_notification WHERE template = %s AND channel = 'email'"
        " AND recipient_id = %s GROUP BY target_id",
        [lifecycle.INVITATION_TEMPLATE, key_user.pk],
    )
    assert {int(t) for t, _n in invitations} == {m.pk for m in ahead} and {n for _t, n in invitations} == {1}
