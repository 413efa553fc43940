"""Data-level access rules that the services enforce whatever a view lets through (ASVS 8.2.2/8.4.1)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory

pytestmark = pytest.mark.django_db


def test_engagement_page_queries_do_not_grow_with_team_records_and_decisions(client, csm, client_key_user, engagement):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from checklists.tests.factories import StageAcceptanceFactory
    from engagements.tests.factories import (
        EngagementMemberFactory,
        IntegrationFactory,
        MilestoneFactory,
        PromiseFactory,
    )

    def grow():
        stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
        for _ in range(3):
            ChecklistItemFactory(stage=stage, assignee=UserFactory(organization=engagement.client))
            EngagementMemberFactory(engagement=engagement)
            PromiseFactory(engagement=engagement)
            MilestoneFactory(engagement=engagement, early_win=True, reached_on=timezone.localdate())
            IntegrationFactory(engagement=engagement)
            StageAcceptanceFactory(engagement=engagement, stage=stage, decided_by=client_key_user)

    def count(user, url):
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    engagement.kickoff_on = timezone.localdate()
    engagement.save()
    staff_url = reverse("portfolio:engagement", args=[engagement.pk])
    portal_url = reverse("portal:engagement", args=[engagement.pk])
    grow()
    small = (count(csm, staff_url), count(client_key_user, portal_url))
    grow()
    grow()
    assert (count(csm, staff_url), count(client_key_user, portal_url)) == small


def test_the_dashboard_shows_a_planned_kickoff_as_days_to_go(client, csm, engagement):
    from datetime import timedelta

    engagement.kickoff_on = timezone.localdate() + timedelta(days=5)
    engagement.save()
    client.force_login(csm)
    body = client.get(reverse("home")).content.decode()
    assert "starts in 5 days" in body
    assert ">-5<" not in body
