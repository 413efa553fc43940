"""The on-call rota page is for every staff member, but what it says follows the visibility rules: of the
engagements a rota covers, each viewer sees those they may see, and the note of someone else's absence (carried by
the override it made) only those who see the team's absences (directors, admins) read."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from escalations import selectors
from escalations.models import OnCallOverride, OverrideSource

from .factories import TUESDAY_10, EngagementCoverageFactory, OnCallRotaFactory, OnCallShiftFactory

pytestmark = pytest.mark.django_db


def _rota(engagement, other_engagement, pm, csm, *, now):
    rota = OnCallRotaFactory(name="Night line", backup=csm)
    OnCallShiftFactory(rota=rota, person=pm, starts_at=now - timedelta(hours=2))
    for each in (engagement, other_engagement):
        EngagementCoverageFactory(engagement=each, around_the_clock=True, rota=rota)
    OnCallOverride.objects.create(
        rota=rota,
        person=csm,
        replaces=pm,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=3),
        reason="Knee surgery",
        source=OverrideSource.ABSENCE,
    )
    OnCallOverride.objects.create(
        rota=rota, person=csm, starts_at=now + timedelta(days=5), ends_at=now + timedelta(days=6), reason="Swap"
    )
    return rota


def test_the_rota_lists_only_the_covered_engagements_the_viewer_sees(
    engagement, other_engagement, team_member, director, pm, csm
):
    _rota(engagement, other_engagement, pm, csm, now=TUESDAY_10)
    [view] = selectors.rota_overview(user=team_member, now=TUESDAY_10)
    assert view.engagements == [engagement]
    [view] = selectors.rota_overview(user=director, now=TUESDAY_10)
    assert set(view.engagements) == {engagement, other_engagement}


def test_absence_notes_on_the_rota_are_for_those_who_see_the_teams_absences(
    engagement, other_engagement, team_member, director, vendor_admin, pm, csm
):
    _rota(engagement, other_engagement, pm, csm, now=TUESDAY_10)

    def reasons(user):
        [view] = selectors.rota_overview(user=user, now=TUESDAY_10)
        return [override.reason for override in view.overrides]

    assert reasons(team_member) == ["", "Swap"]
    assert reasons(csm) == ["", "Swap"]  # covering for someone does not show why they are away
    assert reasons(pm) == ["Knee surgery", "Swap"]  # their own absence
    assert reasons(director) == reasons(vendor_admin) == ["Knee surgery", "Swap"]


def test_the_rota_page_shows_a_team_member_neither_other_engagements_nor_absence_notes(
    client, engagement, other_engagement, team_member, director, pm, csm
):
    # The page reads the clock itself: the rota is laid out around it, so what it shows never depends on the date.
    _rota(engagement, other_engagement, pm, csm, now=timezone.now())
    client.force_login(team_member)
    page = client.get(reverse("escalations:rota")).content.decode()
    assert engagement.name in page and "Night line" in page
    assert other_engagement.name not in page and "Knee surgery" not in page
    client.force_login(director)
    page = client.get(reverse("escalations:rota")).content.decode()
    assert other_engagement.name in page and "Knee surgery" in page
