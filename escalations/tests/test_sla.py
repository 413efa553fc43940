"""SLA figures against examples worked out by hand.

The calendar: Mon-Fri 09:00-17:00 in Warsaw, Wednesday 11 Nov 2026 a holiday (Independence Day).

Flag A, high (targets: respond 4 h, resolve 24 h): raised Fri 6 Nov 16:00, acknowledged Mon 9 Nov 11:00
  -> response Fri 16-17 + Mon 9-11 = 3 h (within).
  Waiting on the client Mon 14:00 -> Tue 10 Nov 10:00 = Mon 14-17 + Tue 9-10 = 4 h paused.
  Resolved Thu 12 Nov 12:00 -> Fri 1 + Mon 8 + Tue 8 + Wed 0 (holiday) + Thu 3 = 20 h, minus 4 h paused = 16 h
  (within 24 h).
Flag B, critical (respond 1 h, resolve 8 h): raised Tue 10 Nov 16:30, acknowledged Thu 12 Nov 09:10
  -> 30 min + Wednesday off + 10 min = 40 min (within); resolved Thu 17:00 -> 30 min + 8 h = 8 h 30 min (missed).
Flag C, high: raised Thu 12 Nov 09:00, no answer by Fri 13 Nov 12:00 -> 8 + 3 = 11 h: the response is missed
  already; the resolution (24 h) is still open and not counted.
Flag D, normal, December: raised Tue 1 Dec 10:00, acknowledged 10:30, resolved 12:00 -> 30 min and 2 h.
A duplicate is left out.
"""

from datetime import date, time, timedelta

import pytest

from escalations import sla
from escalations.models import FlagPause, FlagStatus, RedFlag, Severity
from escalations.selectors import sla_figures

from .factories import BusinessCalendarFactory, EngagementCoverageFactory, RedFlagFactory, warsaw

pytestmark = pytest.mark.django_db

NOW = warsaw(2026, 11, 13, 12)
H = timedelta(hours=1)


@pytest.fixture
def office(engagement):
    calendar = BusinessCalendarFactory(windows=[(day, time(9), time(17)) for day in range(5)])
    calendar.holidays.create(date=date(2026, 11, 11), name="Independence Day")
    EngagementCoverageFactory(engagement=engagement, calendar=calendar)
    return calendar


def _flag(engagement, severity, raised, *, month, response=None, resolved=None, status=FlagStatus.ACKNOWLEDGED):
    targets = {Severity.CRITICAL: (H, 8 * H), Severity.HIGH: (4 * H, 24 * H), Severity.NORMAL: (8 * H, 40 * H)}
    return RedFlagFactory(
        engagement=engagement,
        severity=severity,
        raised_at=raised,
        first_response_at=response,
        resolved_at=resolved,
        status=FlagStatus.CLOSED if resolved else status,
        response_target=targets[severity][0],
        resolution_target=targets[severity][1],
        sla_month=month,
    )


@pytest.fixture
def flags(engagement, office):
    a = _flag(
        engagement,
        Severity.HIGH,
        warsaw(2026, 11, 6, 16),
        response=warsaw(2026, 11, 9, 11),
        resolved=warsaw(2026, 11, 12, 12),
        month=date(2026, 11, 1),
    )
    FlagPause.objects.create(
        flag=a,
        reason="Which orders?",
        started_at=warsaw(2026, 11, 9, 14),
        ended_at=warsaw(2026, 11, 10, 10),
        started_by=engagement.pm,
    )
    b = _flag(
        engagement,
        Severity.CRITICAL,
        warsaw(2026, 11, 10, 16, 30),
        response=warsaw(2026, 11, 12, 9, 10),
        resolved=warsaw(2026, 11, 12, 17),
        month=date(2026, 11, 1),
    )
    c = _flag(engagement, Severity.HIGH, warsaw(2026, 11, 12, 9), status=FlagStatus.OPEN, month=date(2026, 11, 1))
    d = _flag(
        engagement,
        Severity.NORMAL,
        warsaw(2026, 12, 1, 10),
        response=warsaw(2026, 12, 1, 10, 30),
        resolved=warsaw(2026, 12, 1, 12),
        month=date(2026, 12, 1),
    )
    RedFlagFactory(engagement=engagement, status=FlagStatus.DUPLICATE, duplicate_of=a, sla_month=date(2026, 11, 1))
    return {"a": a, "b": b, "c": c, "d": d}


def _measure(flag):
    return {m.flag_id: m for m in sla.measures(RedFlag.objects.all(), now=NOW)}[flag.pk]


def test_each_flag_is_measured_in_business_time_minus_pauses(flags):
    a, b, c, d = (_measure(flags[k]) for k in "abcd")
    assert (a.response, a.response_within) == (3 * H, True)
    assert (a.resolution, a.resolution_within, a.paused) == (16 * H, True, 4 * H)
    assert (b.response, b.response_within) == (timedelta(minutes=40), True)
    assert (b.resolution, b.resolution_within) == (timedelta(hours=8, minutes=30), False)
    assert (c.response, c.response_within, c.resolution, c.resolution_within) == (None, False, None, None)
    assert (d.response, d.resolution, d.paused) == (timedelta(minutes=30), 2 * H, timedelta(0))


def test_the_report_groups_by_month_and_severity(flags):
    report = sla.sla_report(RedFlag.objects.all(), now=NOW)
    rows = {(r.month.isoformat(), r.severity): r.figures for r in report.rows}
    assert list(rows) == [("2026-12-01", "normal"), ("2026-11-01", "critical"), ("2026-11-01", "high")]
    high = rows[("2026-11-01", "high")]
    assert high.flags == 2 and high.mean_response == 3 * H and high.response_share == 50.0
    assert high.mean_resolution == 16 * H and high.resolution_share == 100.0 and high.paused == 4 * H
    critical = rows[("2026-11-01", "critical")]
    assert critical.response_share == 100.0 and critical.resolution_share == 0.0
    assert report.total.flags == 4
    # Responses decided: A in, B in, C missed, D in -> 3 of 4; resolutions: A in, B missed, D in -> 2 of 3.
    assert report.total.response_share == 75.0
    assert round(report.total.resolution_share, 1) == 66.7
    assert report.total.paused == 4 * H


def test_a_pause_still_running_counts_up_to_now(flags, engagement):
    c = flags["c"]
    FlagPause.objects.create(
        flag=c, reason="Logs please", started_at=warsaw(2026, 11, 12, 16), started_by=engagement.pm
    )
    measured = _measure(c)
    # Paused Thu 16:00 -> now (Fri 12:00): Thu 1 h + Fri 3 h = 4 h; elapsed without it: Thu 09-16 = 7 h > 4 h.
    assert measured.paused == 4 * H and measured.response_within is False


def test_around_the_clock_counts_every_hour(flags, engagement):
    coverage = engagement.escalation_coverage
    coverage.around_the_clock = True
    coverage.save()
    a = _measure(flags["a"])
    # Fri 16:00 -> Mon 11:00 = 67 h: the 4 h target is missed; the pause Mon 14:00 -> Tue 10:00 is 20 h.
    assert (a.response, a.response_within, a.paused) == (67 * H, False, 20 * H)


def test_scopes_per_client_and_per_engagement(flags, engagement, other_engagement):
    RedFlagFactory(engagement=other_engagement, sla_month=date(2026, 11, 1), raised_at=warsaw(2026, 11, 3, 10))
    by_client = sla.sla_report(RedFlag.objects.all(), scope="client", now=NOW)
    assert {r.scope_name for r in by_client.rows} == {"Acme Logistics", "Globex Retail"}
    only_acme = sla_figures(client=engagement.client, scope="engagement", now=NOW)
    assert {r.scope_name for r in only_acme.rows} == {str(engagement)}


def test_a_client_sees_only_their_own_figures(flags, client_key_user, other_client_user):
    assert sla_figures(user=client_key_user, now=NOW).total.flags == 4
    assert sla_figures(user=other_client_user, now=NOW).total.flags == 0


def test_the_csv_is_machine_readable(flags):
    import io

    stream = io.StringIO()
    sla.write_csv(sla.sla_report(RedFlag.objects.all(), now=NOW), stream)
    lines = stream.getvalue().splitlines()
    assert lines[0] == ",".join(sla.CSV_HEADER)
    assert "overall,2026-11,high,2,3.00,50.0,16.00,100.0,4.00" in lines
