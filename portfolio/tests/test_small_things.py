"""The timeline, the client's home, and the small things a user notices (issue 10): the time-zone picker, the
favicon, breadcrumbs, the search box, the admin, the load benchmark's baseline."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.forms import PreferencesForm
from accounts.tests.factories import UserFactory
from checklists.models import ChecklistTemplate
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements.tests.factories import ClientProfileFactory, EngagementFactory, MilestoneFactory
from notifications.models import Reminder
from notifications.services import reminder_schedule
from portfolio import search

pytestmark = pytest.mark.django_db


# --- The timeline -----------------------------------------------------------------------------------------------


def test_the_engagement_page_draws_the_timeline_with_the_first_30_days(client, csm, engagement):
    engagement.kickoff_on = timezone.localdate() - timedelta(days=5)
    engagement.target_go_live_on = timezone.localdate() + timedelta(days=60)
    engagement.save()
    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement, title="Scope"))
    MilestoneFactory(engagement=engagement, title="First tickets", due_on=timezone.localdate())
    client.force_login(csm)
    body = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    svg = body.split('<svg class="timeline-svg"')[1].split("</svg>")[0]
    assert 'class="tl-first-days"' in svg and "First 30 days" in svg
    assert "Scope" in svg and "Go-live" in svg and "Kickoff" in svg
    events = body.split('data-testid="timeline-events"')[1].split("</ol>")[0]
    assert "Milestone “First tickets” due" in events and "Target go-live" in events
    assert "<script" not in svg and "style=" not in svg


def test_the_portal_shows_the_timeline_without_the_teams_plan(client, client_key_user, engagement):
    engagement.kickoff_on = timezone.localdate()
    engagement.save()
    MilestoneFactory(engagement=engagement, title="Internal plan point", due_on=timezone.localdate())
    MilestoneFactory(
        engagement=engagement,
        title="Early win",
        early_win=True,
        due_on=timezone.localdate(),
        reached_on=timezone.localdate(),
    )
    client.force_login(client_key_user)
    body = client.get(reverse("portal:engagement", args=[engagement.pk])).content.decode()
    assert 'data-testid="timeline"' in body and "Early win" in body
    assert "Internal plan point" not in body


@pytest.mark.parametrize("language", ["pl", "de"])
def test_the_timeline_draws_at_its_coordinates_in_a_language_with_a_decimal_comma(
    client, client_key_user, engagement, language
):
    # Polish and German write 188,9 for 188.9: a coordinate formatted so is no number to SVG, and every bar, line
    # and label was drawn at 0 for a Polish or German reader.
    client_key_user.language = language
    client_key_user.save(update_fields=["language"])
    engagement.kickoff_on = timezone.localdate() - timedelta(days=7)
    engagement.target_go_live_on = timezone.localdate() + timedelta(days=53)
    engagement.save()
    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), due_on=timezone.localdate())
    client.force_login(client_key_user)
    body = client.get(reverse("portal:engagement", args=[engagement.pk])).content.decode()
    svg = body.split('<svg class="timeline-svg"')[1].split("</svg>")[0]
    coordinates = re.findall(r'\b(?:x|x1|x2|cx|width)="([^"]*)"', svg)
    assert any("." in value for value in coordinates)  # the span of 66 days puts some of them between pixels
    assert [value for value in coordinates if not re.fullmatch(r"-?\d+(\.\d+)?", value)] == []


def test_no_dates_no_timeline(client, csm, engagement):
    engagement.kickoff_on = engagement.contract_signed_on = engagement.target_go_live_on = None
    engagement.save()
    client.force_login(csm)
    body = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    assert "The timeline appears once the engagement has dates" in body


# --- The client's home ------------------------------------------------------------------------------------------


def test_the_clients_home_lists_each_project_with_progress_next_step_and_go_live(
    client, client_key_user, engagement, csm
):
    engagement.target_go_live_on = timezone.localdate() + timedelta(days=40)
    engagement.save()
    stage = ChecklistStageFactory(engagement=engagement)
    ChecklistItemFactory(stage=stage, done=True)
    ChecklistItemFactory(stage=stage, client_side=True, title="Send the VPN form")
    second = EngagementFactory(client=engagement.client, csm=csm, name="Second project")
    client.force_login(client_key_user)
    body = client.get(reverse("portal:home")).content.decode()
    card = body.split(f'data-testid="project-{engagement.pk}"')[1].split("</section>")[0]
    assert "50% done" in card and "Send the VPN form" in card
    assert engagement.target_go_live_on.strftime("%-d %b %Y") in card
    assert "Second project" in body and f'data-testid="project-{second.pk}"' in body


def test_the_clients_home_queries_do_not_grow(client, page_queries, client_key_user, engagement, csm):
    client.force_login(client_key_user)
    # One stage with one item at the small size too: an empty list skips its prefetch, which is not growth.
    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), client_side=True)
    small = page_queries(client, reverse("portal:home"))
    for _ in range(5):
        other = EngagementFactory(client=engagement.client, csm=csm)
        for _ in range(4):
            ChecklistItemFactory(stage=ChecklistStageFactory(engagement=other), client_side=True)
    assert page_queries(client, reverse("portal:home")) == small


def test_the_figures_answer_queries_do_not_grow(client, page_queries, csm, engagement):
    client.force_login(csm)
    stage = ChecklistStageFactory(engagement=engagement)
    ChecklistItemFactory(stage=stage)
    url = reverse("portfolio:engagement_figures", args=[engagement.pk])
    small = page_queries(client, url)
    for _ in range(4):
        stage = ChecklistStageFactory(engagement=engagement)
        for _ in range(5):
            ChecklistItemFactory(stage=stage, overdue=True)
    assert page_queries(client, url) == small


# --- Time zones -------------------------------------------------------------------------------------------------


def test_the_time_zone_picker_groups_places_by_region_without_aliases(csm):
    form = PreferencesForm(instance=csm, prefix="prefs")
    choices = form.fields["time_zone"].choices
    groups = {str(label): values for label, values in choices if isinstance(values, list)}
    assert {"Europe", "America", "Asia", "Africa", "Pacific"} <= set(groups)
    names = [value for values in groups.values() for value, _label in values]
    assert "Europe/Berlin" in names and "Europe/Oslo" in names and "America/New_York" in names
    assert not [n for n in names if n.startswith(("US/", "Etc/", "Canada/", "Brazil/")) or "/" not in n]
    assert choices[0][0] == "UTC"
    berlin = dict(groups["Europe"])["Europe/Berlin"]
    assert berlin.startswith("Berlin (UTC+0")


def test_the_profile_page_has_a_search_for_the_time_zones(client, csm):
    client.force_login(csm)
    body = client.get(reverse("accounts:profile")).content.decode()
    assert 'id="tz-search" data-filter="id_prefs-time_zone"' in body
    assert '<optgroup label="Europe">' in body


def test_someone_keeps_an_alias_they_chose_before_until_they_change_it(client, csm):
    csm.time_zone = "US/Eastern"
    csm.save()
    form = PreferencesForm(instance=csm, prefix="prefs")
    assert ("US/Eastern", "US/Eastern") in form.fields["time_zone"].choices


# --- Favicon, breadcrumbs, baseline -----------------------------------------------------------------------------


def test_every_page_names_the_favicon_and_the_old_address_finds_it(client, csm):
    client.force_login(csm)
    assert '<link rel="icon" href="/static/favicon.svg"' in client.get(reverse("home")).content.decode()
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("favicon.svg")


def test_signed_in_pages_have_breadcrumbs(client, csm, engagement, client_key_user):
    client.force_login(csm)
    for url in (reverse("home"), reverse("portfolio:engagement", args=[engagement.pk]), reverse("accounts:absences")):
        assert 'data-testid="breadcrumbs"' in client.get(url).content.decode(), url
    client.force_login(client_key_user)
    assert 'data-testid="breadcrumbs"' in client.get(reverse("portal:tasks")).content.decode()


def test_the_baseline_does_one_query_of_its_own(client, csm, django_assert_num_queries):
    client.force_login(csm)
    client.get(reverse("baseline"))
    # Session and user (the middleware), the view's one, and the session's save (SESSION_SAVE_EVERY_REQUEST, in a
    # savepoint: two more statements).
    with django_assert_num_queries(6):
        assert client.get(reverse("baseline")).content == b"ok"


# --- Search -----------------------------------------------------------------------------------------------------


def test_search_finds_clients_engagements_items_and_people_the_user_may_see(
    client, csm, engagement, other_engagement, client_key_user
):
    ClientProfileFactory(organization=engagement.client, csm=csm, industry="Logistics")
    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), title="Warehouse scanners rollout")
    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=other_engagement), title="Warehouse for Globex")
    client.force_login(csm)
    body = client.get(reverse("portfolio:search") + "?q=wareh").content.decode()
    assert "Warehouse rollout" in body and "Warehouse scanners rollout" in body
    assert "Warehouse for Globex" not in body
    body = client.get(reverse("portfolio:search") + "?q=Kasia").content.decode()
    assert client_key_user.full_name in body


def test_search_words_are_plain_words(csm, engagement):
    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), title="Confirm scope")
    results = search.search(user=csm, query="scope & | ! :* (")
    assert [item.title for item in results.items] == ["Confirm scope"]
    assert search.words_of("a'; DROP TABLE x --") == ["a", "DROP", "TABLE", "x"]


def test_search_falls_back_to_words_in_fields_without_postgresql(csm, engagement, monkeypatch):
    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), title="Confirm scope")
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert [item.title for item in search.search(user=csm, query="conf sco").items] == ["Confirm scope"]


def test_client_users_have_no_staff_search(client, client_key_user):
    client.force_login(client_key_user)
    assert client.get(reverse("portfolio:search") + "?q=a").status_code == 404


# --- The admin --------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_user(vendor):
    return UserFactory(organization=vendor, vendor_admin=True, is_staff=True, is_superuser=True)


def test_a_templates_stages_and_items_are_edited_on_one_page(client, admin_user):
    template = ChecklistTemplate.objects.get(is_default=True, language="en")
    client.force_login(admin_user)
    body = client.get(reverse("admin:checklists_checklisttemplate_change", args=[template.pk])).content.decode()
    assert 'name="stages-0-items-TOTAL_FORMS"' in body and 'name="stages-0-items-0-title"' in body
    assert "css/admin_checklists.css" in body


def test_reminder_rows_link_to_what_they_remind_about(client, admin_user, engagement):
    item = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), title="Ship the scanners")
    reminder_schedule(key="test:1", kind="checklist.overdue", due_at=timezone.now(), target=item)
    client.force_login(admin_user)
    body = client.get(reverse("admin:notifications_reminder_changelist")).content.decode()
    link = reverse("admin:checklists_checklistitem_change", args=[item.pk])
    assert f'<a href="{link}">checklist item: Ship the scanners</a>' in body
    item.delete()
    body = client.get(reverse("admin:notifications_reminder_changelist")).content.decode()
    assert "(removed)" in body
    assert Reminder.objects.filter(key="test:1").exists()
