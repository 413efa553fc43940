"""Every portal page runs the same number of queries whatever the amount of the client's data (issue 11, "Fast"):
each page is counted with one of everything, then again with several engagements full of tasks, meetings, minutes,
action items, promises and red flags."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from documents.tests.factories import DocumentVersionFactory
from engagements.models import Side
from engagements.tests.factories import EngagementFactory, EngagementMemberFactory, PromiseFactory
from escalations.models import FlagPause, FlagStatus
from escalations.tests.factories import RedFlagFactory
from governance.models import MinutesVersion
from governance.tests.factories import MeetingFactory, MeetingSeriesFactory, OutcomeFactory

pytestmark = pytest.mark.django_db

# The portal's pages (URL name, whether it takes the engagement): the walk of the browser tests uses the same list.
PORTAL_PAGES = [
    ("portal:home", False),
    ("portal:project", True),
    ("portal:engagement", True),
    ("portal:tasks", False),
    ("portal:meetings", False),
    ("portal:action_items", False),
    ("portal:promises", False),
    ("portal:flags", False),
    ("portal:flag_raise", False),
    ("portal:sla", False),
]
# Pages only a key user has (not in the staff preview, whose principal is a member).
KEY_USER_PAGES = [("portal:people", False)]


def _fill(engagement, key_user, *, times: int) -> None:
    """``times`` of each thing the portal lists, on ``engagement``."""
    series = MeetingSeriesFactory(engagement=engagement)
    now = timezone.now().replace(microsecond=0)
    for n in range(times):
        stage = ChecklistStageFactory(engagement=engagement)
        ChecklistItemFactory(stage=stage, client_side=True, assignee=key_user)
        # A stage ready for the client's acceptance (the home lists it to the key user, as the work plan).
        ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement, needs_acceptance=True), done=True)
        ChecklistItemFactory(stage=stage, client_side=True, done=True)
        meeting = MeetingFactory(series=series, starts_at=now + timedelta(days=n + 1))
        MeetingFactory(series=series, starts_at=now - timedelta(days=n + 1))
        OutcomeFactory(agenda_item__meeting=meeting, client_action=True, shared=True, owner=key_user)
        PromiseFactory(engagement=engagement, side=Side.VENDOR)
        RedFlagFactory(engagement=engagement)
        # What else waits on the client: a flag's question, a resolution to confirm, minutes and a document.
        waiting = RedFlagFactory(engagement=engagement, status=FlagStatus.WAITING)
        FlagPause.objects.create(flag=waiting, reason="Which printers?", started_at=now, started_by=engagement.pm)
        RedFlagFactory(engagement=engagement, status=FlagStatus.RESOLVED, resolved_at=now)
        past = MeetingFactory(series=series, starts_at=now - timedelta(days=n + 10), minutes_version=1)
        MinutesVersion.objects.create(meeting=past, number=1, content={}, published_by=engagement.pm)
        DocumentVersionFactory(published=True, document__engagement=engagement)
        EngagementMemberFactory(engagement=engagement)
        UserFactory(client_member=True, organization=engagement.client)


@pytest.mark.parametrize(("name", "per_engagement"), PORTAL_PAGES + KEY_USER_PAGES)
def test_a_portal_page_runs_as_many_queries_with_more_data(
    client, page_queries, client_key_user, engagement, csm, name, per_engagement
):
    client.force_login(client_key_user)
    _fill(engagement, client_key_user, times=1)
    # Two projects from the start: a page may rightly skip a choice when the client has only one.
    _fill(EngagementFactory(client=engagement.client, csm=csm), client_key_user, times=1)
    url = reverse(name, args=[engagement.pk] if per_engagement else None)
    small = page_queries(client, url)
    _fill(engagement, client_key_user, times=4)
    for _ in range(3):
        _fill(EngagementFactory(client=engagement.client, csm=csm), client_key_user, times=2)
    assert page_queries(client, url) == small
