"""Issue 22's "Waiting on you" in a real browser: the key user's home and *My tasks* list the same requests (the
work plan once, a red flag's question, minutes and a document to acknowledge, a checklist task), the count beside
the list is the list's length, and a request answered leaves both. Desktop in English and a 390 px phone in
Polish, each page checked with axe and for sideways scrolling."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import gettext, override
from playwright.sync_api import expect

from checklists.models import ItemCompletion
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from documents.tests.factories import DocumentVersionFactory
from engagements.tests.factories import StakeholderFactory
from escalations.models import FlagPause, FlagStatus
from escalations.tests.factories import RedFlagFactory
from governance.services.minutes import minutes_publish
from governance.tests.factories import AgendaItemFactory, MeetingFactory, MeetingSeriesFactory
from tests.browser.helpers import axe_violations, log_in, screenshot
from tests.browser.test_phone_width import SIDEWAYS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "Which warehouse printers should the labels go to?"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def checked(page, name):
    assert axe_violations(page) == []
    assert page.evaluate(SIDEWAYS) == []
    screenshot(page, f"waiting-on-you-{name}")


@pytest.mark.parametrize(("size", "language"), [("desktop", "en"), ("phone", "pl")])
def test_the_home_and_my_tasks_ask_the_same_requests(
    page, live_server, engagement, client_key_user, pm, uploads, size, language
):
    client_key_user.language = language
    client_key_user.time_zone = "Europe/Warsaw"
    client_key_user.save(update_fields=["language", "time_zone"])
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user)
    plan = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title="Work plan")
    ChecklistItemFactory(stage=plan, title="Present the work plan", done=True)
    ChecklistItemFactory(
        stage=plan,
        title="Accept the plan",
        client_side=True,
        assignee=client_key_user,
        closes_with=ItemCompletion.WORK_PLAN,
    )
    ChecklistItemFactory(
        stage=ChecklistStageFactory(engagement=engagement), client_side=True, title="Send the org chart"
    )
    now = timezone.now().replace(microsecond=0)
    flag = RedFlagFactory(engagement=engagement, status=FlagStatus.WAITING, title="Labels print blank")
    FlagPause.objects.create(flag=flag, reason=QUESTION, started_at=now, started_by=pm)
    meeting = MeetingFactory(
        series=MeetingSeriesFactory(engagement=engagement),
        starts_at=now - timedelta(days=2),
        agenda_prepared_at=now - timedelta(days=3),
    )
    AgendaItemFactory(meeting=meeting, title="Status", minutes="All on track.")
    minutes_publish(by=pm, meeting=meeting, now=now)
    DocumentVersionFactory(published=True, document__engagement=engagement, document__title="User manual")

    page.set_viewport_size(SIZES[size])
    log_in(page, live_server, client_key_user)
    with override(language):
        accept_plan = gettext("Accept the work plan")
        my_tasks = gettext("My tasks")
    waiting = page.get_by_test_id("waiting-on-you")
    entries = waiting.get_by_role("listitem")
    expect(entries).to_have_count(5)
    expect(page.get_by_test_id("waiting-count")).to_have_text("5")
    expect(waiting.get_by_text(accept_plan, exact=True)).to_have_count(1)
    expect(waiting).to_contain_text(QUESTION)
    expect(waiting).to_contain_text("User manual")
    expect(waiting).to_contain_text(meeting.title)
    expect(waiting).not_to_contain_text("Accept the plan")
    checked(page, f"home-{size}-{language}")

    waiting.get_by_role("link", name=my_tasks).click()
    listed = page.get_by_test_id("task-list").locator("> li")
    expect(listed).to_have_count(5)
    expect(page.get_by_test_id("task-list")).to_contain_text(QUESTION)
    checked(page, f"tasks-{size}-{language}")

    # The minutes, acknowledged from the list, leave it on both pages.
    page.get_by_test_id("task-list").get_by_role("link", name=meeting.title).click()
    page.get_by_test_id("acknowledge").click()
    expect(page.get_by_test_id("acknowledged")).to_be_visible()
    page.goto(f"{live_server.url}/portal/")
    expect(page.get_by_test_id("waiting-count")).to_have_text("4")
    expect(page.get_by_test_id("waiting-on-you").get_by_role("listitem")).to_have_count(4)
