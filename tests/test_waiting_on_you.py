"""One honest "Waiting on you" (issue 22): the portal home and *My tasks* list the same requests, built by one
selector (``checklists.selectors.waiting_on_you``): the work plan to accept (once, not again as its checklist task),
a red flag waiting on the client with its question, a resolution to confirm, minutes and a document to
acknowledge, the client's checklist tasks. The count beside the list is the list's length; it runs a fixed number
of queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checklists import selectors
from checklists.models import ItemCompletion
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from documents.tests.factories import DocumentVersionFactory
from engagements.tests.factories import StakeholderFactory
from escalations.models import FlagPause, FlagStatus
from escalations.tests.factories import RedFlagFactory
from governance.models import MinutesVersion
from governance.services.minutes import minutes_acknowledge
from governance.tests.factories import MeetingFactory, MeetingSeriesFactory

pytestmark = pytest.mark.django_db

QUESTION = "Which warehouse printers should the labels go to?"


def _requests(engagement, key_user, pm, *, n: int = 1) -> None:
    """``n`` of each kind of request on ``engagement``, and the work plan with its "accept" task."""
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title=f"Plan {n}")
    ChecklistItemFactory(stage=stage, title="Present the work plan", done=True)
    ChecklistItemFactory(
        stage=stage, title="Accept the plan", client_side=True, assignee=key_user, closes_with=ItemCompletion.WORK_PLAN
    )
    now = timezone.now().replace(microsecond=0)
    series = MeetingSeriesFactory(engagement=engagement)
    for i in range(n):
        ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), client_side=True, title=f"Task {i}")
        waiting = RedFlagFactory(engagement=engagement, status=FlagStatus.WAITING, title=f"Waiting flag {i}")
        FlagPause.objects.create(flag=waiting, reason=QUESTION, started_at=now, started_by=pm)
        RedFlagFactory(engagement=engagement, status=FlagStatus.RESOLVED, resolved_at=now, title=f"Resolved flag {i}")
        meeting = MeetingFactory(series=series, starts_at=now - timedelta(days=i + 1), title=f"Steering {i}")
        meeting.minutes_version = 1
        meeting.save(update_fields=["minutes_version"])
        MinutesVersion.objects.create(meeting=meeting, number=1, content={}, published_by=pm, published_at=now)
        DocumentVersionFactory(published=True, document__engagement=engagement, document__title=f"Manual {i}")


@pytest.fixture
def linked(engagement, client_key_user):
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user)
    return client_key_user


def _home_waiting(client) -> str:
    page = client.get(reverse("portal:home")).content.decode()
    return page.split('data-testid="waiting-on-you"', 1)[1].split("</section>", 1)[0]


def test_the_home_and_my_tasks_list_every_request_once_and_count_them(client, engagement, linked, pm):
    _requests(engagement, linked, pm)
    client.force_login(linked)
    waiting = selectors.waiting_on_you(user=linked)
    titles = [entry.title for entry in waiting.entries]
    assert titles[0] == "Accept the work plan"
    # The work plan's own checklist task is the same decision: not listed a second time.
    assert "Accept the plan" not in titles
    for title in (
        "Task 0",
        "Answer on the red flag “Waiting flag 0”",
        "Confirm the resolution of “Resolved flag 0”",
        "Acknowledge receipt of “Manual 0”, version",
    ):
        assert any(t.startswith(title) for t in titles), (title, titles)
    assert any(t.startswith("Acknowledge the minutes of Steering 0") for t in titles), titles
    assert waiting.total == len(titles) == 6

    home = _home_waiting(client)
    assert re.search(r'data-testid="waiting-count">\s*6\s*<', home)
    assert home.count("Accept the work plan") == 1 and "Accept the plan" not in home
    assert home.count('data-testid="awaiting-decision"') + home.count('data-testid="waiting-entry"') == 6
    assert QUESTION in home

    tasks = client.get(reverse("portal:tasks")).content.decode()
    listed = tasks.split('data-testid="task-list"', 1)[1].split("</ul>", 1)[0]
    assert "6 requests are waiting on you." in tasks
    assert listed.count("Accept the work plan") == 1 and "Accept the plan" not in listed
    assert listed.count('class="list-group-item task') == 6 and QUESTION in listed


def test_an_acknowledgement_takes_the_request_off_the_list(client, engagement, linked, pm):
    _requests(engagement, linked, pm)
    version = MinutesVersion.objects.get()
    minutes_acknowledge(by=linked, version=version)
    titles = [entry.title for entry in selectors.waiting_on_you(user=linked).entries]
    assert not any(t.startswith("Acknowledge the minutes") for t in titles)
    assert len(titles) == 5


def test_a_member_is_asked_the_flags_question_but_no_decision(client, engagement, linked, pm, client_member):
    _requests(engagement, linked, pm)
    titles = [entry.title for entry in selectors.waiting_on_you(user=client_member).entries]
    assert "Answer on the red flag “Waiting flag 0”" in titles
    assert not any(t.startswith(("Accept", "Confirm", "Acknowledge")) for t in titles), titles


def test_the_home_counts_each_projects_requests_from_the_same_list(client, engagement, linked, pm):
    _requests(engagement, linked, pm)
    client.force_login(linked)
    page = client.get(reverse("portal:home")).content.decode()
    count = page.split('data-testid="project-waiting-count"', 1)[1].split("</a>", 1)[0]
    assert "6 open tasks in all" in " ".join(count.split())


def test_it_runs_as_many_queries_for_many_requests(engagement, linked, pm):
    _requests(engagement, linked, pm, n=1)
    with CaptureQueriesContext(connection) as few:
        assert selectors.waiting_on_you(user=linked).total == 6
    _requests(engagement, linked, pm, n=6)
    with CaptureQueriesContext(connection) as many:
        assert selectors.waiting_on_you(user=linked).total > 20
    assert len(many.captured_queries) == len(few.captured_queries)
