"""In a real browser (issue 23): minutes never lose text. A PM types in a section of an already shared meeting and
clicks "Share a new version" without saving: the text is in the shared version. Typing and leaving the page asks
first. Desktop and a 390 px phone, each checked with axe."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from governance.models import Meeting
from governance.services import agenda, minutes, plan
from governance.tests.factories import default_cadences
from tests.browser.helpers import axe_violations, screenshot
from tests.browser.helpers import log_in as _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shared_meeting(engagement, pm):
    default_cadences()
    start = timezone.now() - timedelta(days=8)
    plan.plan_apply(
        by=pm,
        engagement=engagement,
        cadence_keys=["weekly-status"],
        time_zone="Europe/Berlin",
        language="en",
        starts_on=start.date(),
        now=start,
    )
    meeting = Meeting.objects.filter(starts_at__lt=timezone.now()).order_by("starts_at").first()
    agenda.agenda_prepare(meeting=meeting, by=pm)
    item = meeting.agenda_items.filter(parent=None).order_by("position").first()
    agenda.agenda_item_update(by=pm, item=item, minutes="We agreed the scope.")
    minutes.minutes_publish(by=pm, meeting=meeting)
    return meeting


@pytest.mark.parametrize("width", [1280, 390])
def test_text_typed_in_a_section_is_in_the_version_shared_next(page, live_server, pm, engagement, width):
    meeting = _shared_meeting(engagement, pm)
    page.set_viewport_size({"width": width, "height": 900})
    _log_in(page, live_server, pm)
    page.goto(f"{live_server.url}/governance/meetings/{meeting.pk}/")
    section = page.get_by_test_id("agenda-section").first
    field = section.get_by_label("Minutes (shared with the client)")
    field.fill("We agreed the scope and the go-live on 1 June.")
    expect(section.get_by_text("Not saved yet")).to_be_visible()

    # Leaving with unsaved text asks first; staying keeps it.
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", answer)
    page.evaluate("() => { window.location.href = '/governance/meetings/'; }")
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    expect(field).to_have_value("We agreed the scope and the go-live on 1 June.")
    screenshot(page, f"governance-minutes-unsaved-{width}")
    assert axe_violations(page) == []

    # Share without saving: the typed text is saved first and is in version 2.
    page.get_by_label("What changed (the client reads it with the new version)").fill("The go-live date")
    page.get_by_test_id("share-minutes").click()
    expect(page.get_by_role("alert").filter(has_text="Minutes shared")).to_be_visible()
    expect(page.get_by_test_id("minutes-version-2")).to_be_visible()
    version = meeting.minutes_versions.get(number=2)
    assert version.content["sections"][0]["minutes"] == "We agreed the scope and the go-live on 1 June."
    expect(page.get_by_test_id("agenda-section").first.get_by_label("Minutes (shared with the client)")).to_have_value(
        "We agreed the scope and the go-live on 1 June."
    )
    screenshot(page, f"governance-minutes-shared-{width}")
    assert axe_violations(page) == []
