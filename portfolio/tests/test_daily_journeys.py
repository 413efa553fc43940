"""Daily work in a real browser (issue 10), each page checked with axe-core: ticking an item changes every figure;
a deputy starts an absence cover and finds what was handed over; the director's portfolio with health reasons and
its CSV export; a client accepts the work plan once; the client's task list on a phone."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checklists.models import ItemCompletion, ItemStatus
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements.tests.factories import EngagementFactory, StakeholderFactory
from tests.browser.helpers import axe_violations, log_in_as, log_out, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def confirm_dialogs(page):
    """Accept every confirmation the page asks (data-confirm), remembering what it asked."""
    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return asked


def test_ticking_an_item_changes_every_figure_on_the_page(page, live_server, csm, engagement):
    page.set_default_timeout(10_000)
    stage = ChecklistStageFactory(engagement=engagement, title="Scope and obligations")
    late = ChecklistItemFactory(stage=stage, title="Sign the data agreement", overdue=True, assignee=csm)
    ChecklistItemFactory(stage=stage, title="Walk through the contract")
    log_in_as(page, live_server, csm)
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    expect(page.get_by_test_id(f"stage-progress-{stage.pk}")).to_have_text("0/2")
    expect(page.get_by_test_id("overall-progress")).to_have_text("0% done")
    expect(page.get_by_test_id("health").first).to_have_text("At risk")
    expect(page.get_by_test_id("health-reasons").first).to_contain_text("1 checklist item is overdue")
    expect(page.get_by_test_id("next-actions")).to_contain_text("Sign the data agreement")
    assert axe_violations(page) == []

    page.get_by_test_id(f"tick-{late.pk}").click()

    expect(page.get_by_test_id(f"item-{late.pk}").get_by_role("button", name=re.compile("Reopen"))).to_be_visible()
    expect(page.get_by_test_id(f"stage-progress-{stage.pk}")).to_have_text("1/2")
    expect(page.get_by_test_id("overall-progress")).to_have_text("50% done")
    expect(page.get_by_test_id("overall-bar")).to_have_text("50%")
    expect(page.get_by_test_id("health").first).to_have_text("On track")
    expect(page.get_by_test_id("health-reasons")).to_have_count(0)
    expect(page.get_by_test_id("next-actions")).not_to_contain_text("Sign the data agreement")
    expect(page.get_by_test_id("timeline")).to_be_visible()
    screenshot(page, "daily-1-figures-after-tick")
    assert axe_violations(page) == []

    # Reassigning in place: the picker fills when opened, the row and the figures follow.
    other = ChecklistItemFactory(stage=stage, title="Agree the escalation path")
    page.reload()
    picker = page.get_by_test_id(f"assignee-{other.pk}")
    picker.click()
    picker.select_option(label=csm.full_name)
    expect(page.get_by_test_id("next-actions")).to_contain_text("Agree the escalation path")
    expect(page.get_by_test_id("next-actions")).to_contain_text(csm.full_name)
    # And the dashboard row says the same.
    page.get_by_role("link", name="Dashboard").click()
    row = page.get_by_test_id(f"engagement-row-{engagement.pk}")
    expect(row.get_by_test_id("progress")).to_contain_text("33% · 1/3")
    expect(row.get_by_test_id("health")).to_have_text("On track")


def test_a_deputy_starts_an_absence_cover_and_finds_what_was_handed_over(page, live_server, engagement, pm, deputy_pm):
    page.set_default_timeout(10_000)
    stage = ChecklistStageFactory(engagement=engagement)
    ChecklistItemFactory(stage=stage, title="Approve the test plan", assignee=pm)
    today = timezone.localdate()
    # The PM records their absence, from today.
    log_in_as(page, live_server, pm)
    page.get_by_role("link", name="Absences").first.click()
    page.get_by_label("First day away").fill(today.isoformat())
    page.get_by_label("Last day away").fill((today - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Record absence").click()
    expect(page.get_by_text("The absence cannot end before it starts")).to_be_visible()
    page.get_by_label("Last day away").fill((today + timedelta(days=6)).isoformat())
    page.get_by_role("button", name="Record absence").click()
    expect(page.get_by_text("Absence recorded")).to_be_visible()
    assert axe_violations(page) == []
    log_out(page)

    # The deputy is told (at 08:00 of the first day away in the PM's zone, or at once if that has passed: the sweep
    # runs at the notice's own due time, so the test holds at any hour), and every page says whom they stand in for.
    from engagements.cover import START_KIND
    from notifications.models import Reminder
    from notifications.services import reminder_sweep

    notice = Reminder.objects.get(kind=START_KIND)
    reminder_sweep(now=max(notice.due_at, timezone.now()) + timedelta(minutes=1))
    log_in_as(page, live_server, deputy_pm)
    banner = page.get_by_test_id("cover-banner")
    expect(banner).to_contain_text(f"You are standing in for {pm.full_name} until")
    expect(page.get_by_test_id("nav-notifications")).to_contain_text("1")
    banner.get_by_role("link", name="See what was handed over").click()
    handed = page.get_by_test_id("work-checklists.handed_over")
    expect(handed).to_contain_text("Approve the test plan")
    expect(handed).to_contain_text(f"for {pm.full_name}, away until")
    screenshot(page, "daily-2-deputy-my-work")
    assert axe_violations(page) == []


def test_the_directors_portfolio_with_health_reasons_and_the_csv_export(page, live_server, director, client_org, csm):
    page.set_default_timeout(10_000)
    late = EngagementFactory(client=client_org, csm=csm, name="Late rollout", phase="onboarding")
    for _ in range(2):
        ChecklistItemFactory(stage=ChecklistStageFactory(engagement=late), overdue=True)
    EngagementFactory(
        client=client_org,
        csm=csm,
        name="Calm rollout",
        phase="kickoff",
        target_go_live_on=timezone.localdate() + timedelta(days=10),
    )
    log_in_as(page, live_server, director)
    expect(page.get_by_role("heading", name="Portfolio")).to_be_visible()
    expect(page.get_by_test_id("total-health-at_risk")).to_be_visible()
    expect(page.get_by_test_id("go-lives")).to_contain_text("Calm rollout")
    first_row = page.get_by_test_id(re.compile("engagement-row-")).first
    expect(first_row).to_contain_text("Late rollout")  # sorted by risk
    expect(first_row.get_by_test_id("health-reasons")).to_contain_text("2 checklist items are overdue")
    # A director has the most entries in the navigation: on a 1,280 px laptop they wrap, never off the screen.
    page.set_viewport_size({"width": 1280, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    expect(page.get_by_test_id("nav-notifications")).to_be_in_viewport()
    expect(page.get_by_test_id("user-menu")).to_be_in_viewport()
    screenshot(page, "daily-3-portfolio")
    assert axe_violations(page) == []
    with page.expect_download() as download_info:
        page.get_by_test_id("csv-export").click()
    with open(download_info.value.path(), encoding="utf-8-sig") as exported:
        rows = list(csv.reader(io.StringIO(exported.read())))
    assert rows[0][:2] == ["Client", "Engagement"]
    assert [row[1] for row in rows[1:]] == ["Late rollout", "Calm rollout"]
    assert "2 checklist items are overdue" in rows[1][6]
    # The workload, with readable figures and names that open their engagements.
    page.get_by_role("link", name="Workload").first.click()
    page.get_by_test_id("workload-csm").get_by_role("link", name=csm.full_name).click()
    expect(page.get_by_test_id("person-filter")).to_contain_text(csm.full_name)
    assert axe_violations(page) == []


def test_a_client_accepts_the_work_plan_once_and_sees_the_decision(
    page, live_server, engagement, client_key_user, confirm_dialogs
):
    page.set_default_timeout(10_000)
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user)
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title="Work-plan acceptance")
    ChecklistItemFactory(stage=stage, title="Present the work plan", done=True)
    task = ChecklistItemFactory(
        stage=stage,
        title="Accept the work plan",
        client_side=True,
        assignee=client_key_user,
        closes_with=ItemCompletion.WORK_PLAN,
    )
    log_in_as(page, live_server, client_key_user)
    page.get_by_role("link", name="My tasks").first.click()
    # The work plan's task is listed once, as the decision it stands for (not again as a checklist task).
    expect(page.get_by_test_id(f"task-{task.pk}")).to_have_count(0)
    page.get_by_test_id("awaiting-decision").get_by_role("link", name="Accept the work plan").click()
    card = page.get_by_test_id("work-plan-decision")
    card.get_by_test_id("accept-work-plan").click()
    expect(page.get_by_text("Thank you, your decision is recorded.")).to_be_visible()
    assert confirm_dialogs and confirm_dialogs[0].startswith("Accept the work plan?")
    expect(card.get_by_test_id("work-plan-accepted")).to_be_visible()
    expect(card.get_by_test_id("accept-work-plan")).to_have_count(0)
    screenshot(page, "daily-4-work-plan-accepted")
    assert axe_violations(page) == []
    task.refresh_from_db()
    assert task.status == ItemStatus.DONE
    page.get_by_role("link", name="My tasks").first.click()
    expect(page.get_by_test_id(f"task-{task.pk}")).to_have_count(0)
    expect(page.get_by_text("Accept the work plan")).to_be_visible()  # in the "Done" list
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Home").click()
    expect(page.get_by_test_id(f"project-{engagement.pk}")).to_contain_text("100% done")
    assert axe_violations(page) == []
    # One decision: the work-plan stage was accepted with the work plan, so it asks for nothing more.
    page.get_by_role("link", name=engagement.name).click()
    expect(page.get_by_test_id(f"stage-accepted-{stage.pk}")).to_be_visible()
    expect(page.get_by_test_id(f"stage-decision-{stage.pk}")).to_contain_text("Accepted with the work plan by")
    expect(page.get_by_test_id(f"accept-stage-{stage.pk}")).to_have_count(0)


def test_the_task_list_on_a_phone_shows_its_complete_buttons(page, live_server, engagement, client_key_user):
    stage = ChecklistStageFactory(engagement=engagement, title="Environments with a rather long stage title")
    tasks = [
        ChecklistItemFactory(
            stage=stage,
            client_side=True,
            title="Grant VPN access to the vendor's integration team members",
            overdue=True,
        ),
        ChecklistItemFactory(
            stage=stage, client_side=True, title="Upload the signed data processing agreement", evidence_required="file"
        ),
    ]
    log_in_as(page, live_server, client_key_user)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/portal/tasks/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for task in tasks:
        button = page.get_by_test_id(f"complete-{task.pk}")
        expect(button).to_be_in_viewport()
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        # One verb for every task, whether it is ticked here or needs a file on its page.
        expect(button).to_have_text("Mark done")
    screenshot(page, "daily-5-phone-tasks")
    assert axe_violations(page) == []
    page.get_by_test_id(f"complete-{tasks[0].pk}").click()
    expect(page.get_by_text("Thank you, the task is done.")).to_be_visible()
