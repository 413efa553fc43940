import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import StaffAbsenceFactory, UserFactory
from checklists import services as checklist_services
from checklists.models import Decision
from checklists.tests.factories import (
    ChecklistItemFactory,
    ChecklistStageFactory,
    ItemCommentFactory,
    SatisfactionScoreFactory,
)
from engagements.tests.factories import EngagementFactory, HandoffFactory, MilestoneFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


HTMX = {"HTTP_HX_REQUEST": "true"}


def _fill(engagement, *, stages, items, comments=1, extras=True):
    for s in range(stages):
        stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=s % 2 == 0)
        for i in range(items):
            item = ChecklistItemFactory(
                stage=stage,
                overdue=i % 3 == 0,
                client_side=i % 2 == 0,
                assignee=engagement.csm,
                done=i % 4 == 0,
            )
            for _ in range(comments):
                ItemCommentFactory(item=item)
    if extras:
        MilestoneFactory(engagement=engagement, early_win=True, reached_on=timezone.localdate())
        StakeholderFactory(engagement=engagement, key_user=True)
        SatisfactionScoreFactory(engagement=engagement, answered=True)


def test_dashboard_queries_do_not_grow_with_engagements(page_queries, client, csm, client_org):
    client.force_login(csm)
    _fill(EngagementFactory(csm=csm, client=client_org), stages=1, items=2)
    small = page_queries(client, reverse("home"))
    for _ in range(5):
        _fill(EngagementFactory(csm=csm, client=client_org), stages=3, items=6, comments=2)
    assert page_queries(client, reverse("home")) == small
    # Session, user, the cached figures' computation, the over-capacity check is directors' only; plus the
    # absence-cover banner's two.
    assert small <= 10


def test_director_dashboard_and_workload_queries_are_constant(page_queries, client, director, client_org):
    client.force_login(director)
    EngagementFactory(client=client_org)
    small = (page_queries(client, reverse("home")), page_queries(client, reverse("portfolio:workload")))
    for _ in range(6):
        _fill(EngagementFactory(client=client_org), stages=2, items=3)
    assert (page_queries(client, reverse("home")), page_queries(client, reverse("portfolio:workload"))) == small


def test_engagement_page_queries_do_not_grow_with_items_or_comments(page_queries, client, csm, engagement):
    client.force_login(csm)
    HandoffFactory(engagement=engagement)
    _fill(engagement, stages=1, items=2)
    url = reverse("portfolio:engagement", args=[engagement.pk])
    small = page_queries(client, url)
    _fill(engagement, stages=4, items=10, comments=3, extras=False)
    assert page_queries(client, url) == small
    assert small <= 28


def test_client_task_list_and_portal_page_queries_are_constant(page_queries, client, client_key_user, engagement):
    client.force_login(client_key_user)
    _fill(engagement, stages=1, items=2)
    urls = [reverse("portal:tasks"), reverse("portal:engagement", args=[engagement.pk])]
    small = [page_queries(client, url) for url in urls]
    _fill(engagement, stages=4, items=10, comments=3, extras=False)
    assert [page_queries(client, url) for url in urls] == small


def test_dashboard_shows_progress_health_and_next_due(client, csm, engagement):
    stage = ChecklistStageFactory(engagement=engagement)
    ChecklistItemFactory(stage=stage, done=True)
    ChecklistItemFactory(stage=stage, overdue=True, title="Send VPN form")
    client.force_login(csm)
    body = client.get(reverse("home")).content.decode()
    assert "50% · 1/2" in body
    assert "At risk" in body
    assert "Send VPN form" in body


def test_dashboard_filters_by_health_and_searches(client, csm, engagement, client_org):
    calm = EngagementFactory(csm=csm, client=client_org, name="Calm one")
    ChecklistItemFactory(stage__engagement=engagement, overdue=True)
    client.force_login(csm)
    body = client.get(reverse("home"), {"health": "at_risk"}).content.decode()
    assert engagement.name in body and calm.name not in body
    body = client.get(reverse("home"), {"q": "calm", "sort": "health"}).content.decode()
    assert calm.name in body and engagement.name not in body


def test_workload_warns_about_a_csm_over_capacity(client, director, csm, client_org, settings):
    settings.ENGAGEMENT_CSM_CAPACITY = 1
    EngagementFactory.create_batch(2, csm=csm, client=client_org)
    client.force_login(director)
    body = client.get(reverse("portfolio:workload")).content.decode()
    assert "over the capacity of 1" in body and csm.full_name in body


def test_portal_never_shows_internal_comments_or_handoff(client, client_key_user, engagement):
    item = ChecklistItemFactory(stage__engagement=engagement, client_side=True)
    ItemCommentFactory(item=item, internal=True)
    ItemCommentFactory(item=item, body="Please send the VPN form")
    HandoffFactory(engagement=engagement, political_dynamics="The CFO doubts the project.")
    client.force_login(client_key_user)
    page = client.get(reverse("portal:engagement", args=[engagement.pk])).content.decode()
    item_page = client.get(reverse("portal:item", args=[item.pk])).content.decode()
    assert "CFO doubts" not in page + item_page
    assert "Internal:" not in item_page
    assert "Please send the VPN form" in item_page


def test_portal_shows_only_reached_early_wins_and_who_stands_in(client, client_key_user, engagement, pm, deputy_pm):
    MilestoneFactory(
        engagement=engagement, early_win=True, title="First orders shipped", reached_on=timezone.localdate()
    )
    MilestoneFactory(engagement=engagement, early_win=True, title="Not yet reached")
    MilestoneFactory(engagement=engagement, title="Internal milestone", reached_on=timezone.localdate())
    StaffAbsenceFactory(user=pm)
    client.force_login(client_key_user)
    page = client.get(reverse("portal:engagement", args=[engagement.pk])).content.decode()
    assert "First orders shipped" in page
    assert "Not yet reached" not in page and "Internal milestone" not in page
    assert f"standing in for {pm.full_name}" in page and deputy_pm.full_name in page


def test_marking_an_early_win_reached_shows_it_to_the_client(client, csm, client_key_user, engagement):
    milestone = MilestoneFactory(engagement=engagement, early_win=True, title="First orders shipped")
    client.force_login(client_key_user)
    assert "First orders shipped" not in client.get(reverse("portal:engagement", args=[engagement.pk])).content.decode()
    client.force_login(csm)
    client.post(reverse("engagements:milestone_reached", args=[milestone.pk]))
    milestone.refresh_from_db()
    assert milestone.reached_on == timezone.localdate()
    client.force_login(client_key_user)
    assert "First orders shipped" in client.get(reverse("portal:engagement", args=[engagement.pk])).content.decode()


def test_director_home_warns_about_over_capacity(client, director, csm, client_org, settings):
    settings.ENGAGEMENT_CSM_CAPACITY = 1
    EngagementFactory.create_batch(2, csm=csm, client=client_org)
    client.force_login(director)
    assert "over the capacity of 1" in client.get(reverse("home")).content.decode()
    client.force_login(csm)
    assert "over the capacity" not in client.get(reverse("home")).content.decode()


def test_the_team_reads_the_handoff_on_the_engagement_page(client, team_member, engagement):
    HandoffFactory(engagement=engagement, political_dynamics="The CFO doubts the project.")
    client.force_login(team_member)
    body = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    assert "The CFO doubts the project." in body


@pytest.mark.parametrize(
    "page",
    ["client_list", "client_detail", "stakeholders", "handoff", "portal_item", "portal_home", "absences"],
)
def test_other_pages_run_a_constant_number_of_queries(
    page_queries, client, page, csm, client_key_user, engagement, client_org
):
    from engagements.tests.factories import BillingRecordFactory, ClientProfileFactory, PromiseFactory

    profile = ClientProfileFactory(organization=client_org, csm=csm)
    item = ChecklistItemFactory(stage__engagement=engagement, client_side=True)
    urls = {
        "client_list": (csm, reverse("engagements:client_list")),
        "client_detail": (csm, reverse("engagements:client_detail", args=[profile.pk])),
        "stakeholders": (csm, reverse("engagements:stakeholders", args=[engagement.pk])),
        "handoff": (csm, reverse("engagements:handoff", args=[engagement.pk])),
        "portal_item": (client_key_user, reverse("portal:item", args=[item.pk])),
        "portal_home": (client_key_user, reverse("portal:home")),
        "absences": (csm, reverse("accounts:absences")),
    }
    user, url = urls[page]
    client.force_login(user)

    def grow():
        for _ in range(4):
            ClientProfileFactory(csm=csm)
            BillingRecordFactory(profile=profile)
            StakeholderFactory(engagement=engagement)
            PromiseFactory(engagement=engagement)
            ItemCommentFactory(item=item)
            EngagementFactory(client=client_org, csm=csm)
            StaffAbsenceFactory(user=csm)

    grow()
    small = page_queries(client, url)
    grow()
    assert page_queries(client, url) == small


def test_the_portal_home_lists_what_awaits_the_deciding_key_users_acceptance(client, client_key_user, engagement):
    """Stages ready for acceptance and the work plan appear under "Waiting on you" for who decides for the client
    (``policy.engagements_decided_by``), and for nobody else of the client."""
    ready = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title="Data migration")
    ChecklistItemFactory(stage=ready, done=True)
    unfinished = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title="Training")
    ChecklistItemFactory(stage=unfinished)
    client.force_login(client_key_user)
    waiting = _waiting_on(client)
    assert "Data migration" in waiting and "Accept the work plan" in waiting
    assert "Training" not in waiting
    # Once the work plan is accepted as it stands, it no longer waits; the ready stage still does.
    checklist_services.acceptance_decide(by=client_key_user, engagement=engagement, decision=Decision.ACCEPTED)
    waiting = _waiting_on(client)
    assert "Accept the work plan" not in waiting and "Data migration" in waiting
    # Another key user of the client does not decide once the first is linked on the map: nothing awaits them.
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user, name=client_key_user.full_name)
    second = UserFactory(key_user=True, organization=engagement.client)
    client.force_login(second)
    assert "Data migration" not in _waiting_on(client)
    member = UserFactory(client_member=True, organization=engagement.client)
    client.force_login(member)
    assert "Data migration" not in _waiting_on(client)


def _waiting_on(client) -> str:
    page = client.get(reverse("portal:home")).content.decode()
    return page.split('data-testid="waiting-on-you"', 1)[1].split("</section>", 1)[0]
