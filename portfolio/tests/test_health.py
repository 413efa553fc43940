"""Health from the registry: the Python rules and the SQL that dashboards sort and filter by always agree, for the
signals checklists registers and for any signal another app adds."""

from datetime import timedelta

import pytest
from django.db.models import IntegerField, Value
from django.utils import timezone

from checklists import services as checklist_services
from checklists.models import Decision
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory, SatisfactionScoreFactory
from engagements import health
from engagements.figures import figures_refresh
from engagements.health import Health, HealthSignal, engagement_health
from portfolio import selectors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("signals", "expected"),
    [
        ({"overdue_items": 0, "unaccepted_stages_past_due": 0}, Health.ON_TRACK),
        ({"overdue_items": 1, "unaccepted_stages_past_due": 0}, Health.AT_RISK),
        ({"overdue_items": 5, "unaccepted_stages_past_due": 0}, Health.OFF_TRACK),
        ({"overdue_items": 0, "unaccepted_stages_past_due": 1}, Health.AT_RISK),
        ({"overdue_items": 0, "unaccepted_stages_past_due": 2}, Health.OFF_TRACK),
        ({"overdue_items": 0, "satisfaction": 5}, Health.ON_TRACK),
        ({"overdue_items": 0, "satisfaction": 3}, Health.AT_RISK),
        ({"overdue_items": 0, "satisfaction": 2}, Health.OFF_TRACK),
        ({"overdue_items": 0, "satisfaction": None}, Health.ON_TRACK),
        ({"open_rejections": 1}, Health.AT_RISK),
        ({"open_rejections": 2}, Health.OFF_TRACK),
        ({"overdue_items": 1, "satisfaction": 2}, Health.OFF_TRACK),
    ],
)
def test_health_rules(signals, expected):
    assert engagement_health(**signals) == expected


def _dashboard_row(user, engagement):
    rows = selectors.engagement_list_for_dashboard(user=user, filters=selectors.DashboardFilters())
    return next(row for row in rows if row.pk == engagement.pk)


def _page_health(engagement):
    return selectors.engagement_page(engagement=engagement, user=engagement.csm).health


def test_sql_health_agrees_with_the_python_rules(engagement, csm):
    stage = ChecklistStageFactory(engagement=engagement)
    ChecklistItemFactory(stage=stage, overdue=True)
    assert _dashboard_row(csm, engagement).health == Health.AT_RISK == _page_health(engagement)
    for _ in range(4):
        ChecklistItemFactory(stage=stage, overdue=True)
    assert _dashboard_row(csm, engagement).health == Health.OFF_TRACK == _page_health(engagement)


def test_every_signal_agrees_at_each_threshold(engagement, csm, monkeypatch):
    """Each registered signal alone, pinned to values around its thresholds: the SQL level (dashboard) equals the
    Python one (engagement page)."""
    for signal in health.signals():
        for value in sorted({signal.at_risk - 1, signal.at_risk, signal.off_track, signal.off_track + 1}):
            pinned = HealthSignal(
                signal.name,
                signal.label,
                lambda today, value=value: Value(value, IntegerField()),
                signal.at_risk,
                signal.off_track,
                signal.low_is_bad,
                describe=signal.describe,
            )
            monkeypatch.setattr(health, "_signals", {signal.name: pinned})
            expected = engagement_health(**{signal.name: value})
            assert _dashboard_row(csm, engagement).health == expected == _page_health(engagement), (signal, value)


def test_an_unaccepted_stage_past_due_puts_the_engagement_at_risk(engagement, csm):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    ChecklistItemFactory(stage=stage, done=True, due_on=timezone.localdate() - timedelta(days=2))
    assert _dashboard_row(csm, engagement).health == Health.AT_RISK
    stage.accepted_at = timezone.now()
    stage.save()
    # A write past the services refreshes the maintained figures as the services do.
    figures_refresh([engagement.pk])
    assert _dashboard_row(csm, engagement).health == Health.ON_TRACK


def test_a_low_satisfaction_score_puts_the_engagement_off_track(engagement, csm):
    SatisfactionScoreFactory(engagement=engagement, answered=True, score=2)
    assert _dashboard_row(csm, engagement).health == Health.OFF_TRACK == _page_health(engagement)
    assert _dashboard_row(csm, engagement).satisfaction == 2


def test_the_clients_rejection_is_at_risk_until_accepted_again(engagement, csm, client_key_user):
    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), done=True)
    checklist_services.acceptance_decide(
        by=client_key_user, engagement=engagement, decision=Decision.REJECTED, reason="Dates are too tight"
    )
    row = _dashboard_row(csm, engagement)
    assert (row.open_rejections, row.health) == (1, Health.AT_RISK)
    assert _page_health(engagement) == Health.AT_RISK
    # The rework item is due in a few days; once done, the client accepts and the signal clears.
    engagement.stages.get().items.update(status="done")
    checklist_services.acceptance_decide(by=client_key_user, engagement=engagement, decision=Decision.ACCEPTED)
    assert _dashboard_row(csm, engagement).open_rejections == 0


def test_a_signal_registered_by_another_app_counts_in_both(engagement, csm, monkeypatch):
    """How governance and escalations plug in: register a signal; dashboards and the page both use it."""
    monkeypatch.setattr(health, "_signals", dict(health._signals))
    health.register_signal(
        HealthSignal(
            "open_red_flags",
            "open red flags",
            lambda today: Value(2, IntegerField()),
            1,
            2,
            describe=lambda value: f"{value} red flags are open",
        )
    )
    row = _dashboard_row(csm, engagement)
    assert (row.open_red_flags, row.health) == (2, Health.OFF_TRACK)
    assert _page_health(engagement) == Health.OFF_TRACK


def test_the_dashboard_filters_and_sorts_by_health_in_constant_queries(
    csm, engagement, django_assert_max_num_queries, client
):
    from engagements.tests.factories import EngagementFactory

    def grow():
        for _ in range(3):
            other = EngagementFactory(client=engagement.client, csm=csm)
            ChecklistItemFactory(stage=ChecklistStageFactory(engagement=other), overdue=True)

    client.force_login(csm)
    grow()
    with django_assert_max_num_queries(12) as small:
        assert client.get("/?sort=health&health=at_risk").status_code == 200
    grow()
    grow()
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/?sort=health&health=at_risk").status_code == 200
