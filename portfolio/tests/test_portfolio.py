"""The director's portfolio (issue 10): totals by health and phase, go-lives soon, recent rejections and low
scores, the list sorted by risk with the reasons from the one health function, workload with links, CSV export."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from checklists import services as checklist_services
from checklists.models import Decision
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory, SatisfactionScoreFactory
from engagements.tests.factories import EngagementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(client_org, csm, pm, vendor):
    """Three engagements: one off track (6 overdue items), one at risk (a rejection), one on track going live."""
    today = timezone.localdate()
    late = EngagementFactory(client=client_org, csm=csm, pm=pm, name="Late one", phase="onboarding")
    stage = ChecklistStageFactory(engagement=late)
    for _ in range(6):
        ChecklistItemFactory(stage=stage, overdue=True)
    rejected = EngagementFactory(client=client_org, csm=csm, name="Rejected one", phase="onboarding")
    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=rejected), done=True)
    key_user = UserFactory(key_user=True, organization=client_org)
    checklist_services.acceptance_decide(
        by=key_user, engagement=rejected, decision=Decision.REJECTED, reason="Too many open points"
    )
    fine = EngagementFactory(
        client=client_org,
        csm=csm,
        name="Fine one",
        phase="kickoff",
        target_go_live_on=today + timedelta(days=12),
    )
    SatisfactionScoreFactory(engagement=fine, answered=True, score=4)
    return late, rejected, fine


def _body(client, user, query=""):
    client.force_login(user)
    return client.get(reverse("home") + query).content.decode()


def test_the_list_is_sorted_by_risk_with_reasons(client, director, portfolio):
    body = _body(client, director)
    late, rejected, fine = portfolio
    order = [body.index(f'engagement-row-{e.pk}"') for e in (late, rejected, fine)]
    assert order == sorted(order)
    assert "6 checklist items are overdue" in body
    assert "1 rejection by the client is still open" in body


def test_totals_by_health_and_phase_and_go_lives(client, director, portfolio):
    body = _body(client, director)
    overview = body.split('data-testid="portfolio-overview"')[1].split("<form")[0]
    assert 'data-testid="total-health-off_track"' in overview
    counts = {
        health: overview.split(f'data-testid="total-health-{health}"')[1].split("<strong>")[1].split("<")[0]
        for health in ("on_track", "at_risk", "off_track")
    }
    assert counts == {"on_track": "1", "at_risk": "1", "off_track": "1"}
    assert overview.split('data-testid="total-phase-onboarding"')[1].split("<strong>")[1].startswith("2")
    go_lives = body.split('data-testid="go-lives"')[1].split("</ul>")[0]
    assert "Fine one" in go_lives and "Late one" not in go_lives


def test_recent_rejections_and_low_scores(client, director, portfolio):
    late, rejected, fine = portfolio
    SatisfactionScoreFactory(engagement=late, answered=True, score=2)
    signals = _body(client, director).split('data-testid="client-signals"')[1].split("</ul>")[0]
    assert "Rejected one" in signals and "score 2/5" in signals and "Fine one" not in signals


def test_a_csm_gets_their_list_without_the_portfolio_overview(client, csm, portfolio):
    body = _body(client, csm)
    assert 'data-testid="portfolio-overview"' not in body and "Late one" in body


def test_filters_by_health_and_by_person(client, director, portfolio, csm, pm):
    table = _body(client, director, "?health=off_track").split('data-testid="engagement-table"')[1]
    assert "Late one" in table and "Fine one" not in table
    body = _body(client, director, f"?pm={pm.pk}")
    table = body.split('data-testid="engagement-table"')[1]
    assert "Late one" in table and "Rejected one" not in table and f"PM or deputy: {pm.full_name}" in body


def test_the_csv_export_follows_the_current_filter(client, director, portfolio):
    client.force_login(director)
    response = client.get(reverse("portfolio:dashboard_csv") + "?health=off_track")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Client", "Engagement", "Phase"]
    assert [row[1] for row in rows[1:]] == ["Late one"]
    assert rows[1][5] == "Off track" and "6 checklist items are overdue" in rows[1][6]


def test_the_csv_export_cannot_carry_a_formula(client, director, client_org, csm):
    EngagementFactory(client=client_org, csm=csm, name='=HYPERLINK("http://evil")')
    client.force_login(director)
    text = client.get(reverse("portfolio:dashboard_csv")).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_the_workload_names_csms_and_pms_and_links_to_their_engagements(client, director, portfolio, csm, pm):
    client.force_login(director)
    body = client.get(reverse("portfolio:workload")).content.decode()
    assert f'href="{reverse("home")}?csm={csm.pk}"' in body
    assert f'href="{reverse("home")}?pm={pm.pk}"' in body
    assert 'data-testid="workload-pm"' in body and 'data-testid="workload-csm"' in body


def test_dashboard_figures_do_not_grow_with_data(client, page_queries, director, client_org):
    client.force_login(director)
    EngagementFactory(client=client_org)
    small = page_queries(client, reverse("home"))
    for _ in range(8):
        engagement = EngagementFactory(client=client_org)
        ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), overdue=True)
    assert page_queries(client, reverse("home")) == small
    assert page_queries(client, reverse("portfolio:dashboard_csv")) <= small


def test_the_portfolio_weighs_a_critical_flag_at_the_executive_board(client, page_queries, director, client_org):
    from escalations.models import Severity
    from escalations.tests.factories import RedFlagFactory

    client.force_login(director)
    calm = EngagementFactory(client=client_org, name="One normal flag", phase="onboarding")
    RedFlagFactory(engagement=calm, severity=Severity.NORMAL, level=1)
    grave = EngagementFactory(client=client_org, name="Board-level flag", phase="onboarding")
    RedFlagFactory(engagement=grave, severity=Severity.CRITICAL, level=4)
    small = page_queries(client, reverse("home"))
    page = client.get(reverse("home")).content.decode()
    assert "1 critical red flag at the executive board" in page
    # The grave one sorts first (by risk) and is off track; the other is at risk.
    assert page.index("Board-level flag") < page.index("One normal flag")
    for n in range(6):
        more = EngagementFactory(client=client_org, name=f"More {n}", phase="onboarding")
        RedFlagFactory.create_batch(2, engagement=more, severity=Severity.HIGH, level=2)
    assert page_queries(client, reverse("home")) == small
