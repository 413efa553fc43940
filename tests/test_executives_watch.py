"""Executives read every engagement and write on none by their role alone (``policy.may_work``): the team's work
(items, promises, stakeholder rows, red flags and their action plans) needs a place on its team, or overseeing.
Each write is refused in the service, whatever page called it; the URL matrix (``url_access.WORK``) checks the
pages."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from checklists import services as checklist_services
from checklists.models import ItemStatus
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements import policy, services
from engagements.models import Engagement, Promise, PromiseStatus, Side, Stakeholder
from engagements.tests.factories import PromiseFactory, StakeholderFactory
from escalations import services as escalation_services
from escalations.models import ActionStep, FlagStatus, RedFlag, StepSide, StepStatus
from governance.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2031, 3, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
def flag(engagement, client_key_user):
    return escalation_services.flag_raise(
        engagement=engagement,
        by=client_key_user,
        title="Orders lost",
        description="No order reached the warehouse today.",
        category="quality",
        severity="high",
        now=NOW,
    )


def test_the_policy_lets_executives_read_but_not_work(
    executive, director, vendor_admin, csm, pm, deputy_pm, team_member, other_csm, engagement
):
    assert policy.may_see(executive, engagement)
    assert not policy.may_work(executive, engagement)
    assert not Engagement.objects.worked_on_by(executive).exists()
    for person in (director, vendor_admin, csm, pm, deputy_pm, team_member):
        assert policy.may_work(person, engagement), person
    assert not policy.may_work(other_csm, engagement)


@pytest.fixture
def personas(vendor_admin, executive, director, csm, other_csm, pm, deputy_pm, team_member, client_key_user):
    return [vendor_admin, executive, director, csm, other_csm, pm, deputy_pm, team_member, client_key_user]


def test_may_work_agrees_with_the_worked_on_by_filter(personas, engagement, other_engagement):
    for person in personas:
        worked = set(Engagement.objects.worked_on_by(person).values_list("pk", flat=True))
        for each in (engagement, other_engagement):
            assert policy.may_work(person, each) == (each.pk in worked), person


def test_an_executive_cannot_resolve_a_red_flag(executive, pm, flag):
    with pytest.raises(PermissionDenied):
        escalation_services.flag_resolve(flag=flag, by=executive, resolution="Fixed the export.", now=NOW)
    flag.refresh_from_db()
    assert flag.status != FlagStatus.RESOLVED and flag.resolved_at is None
    # The team still does.
    escalation_services.flag_resolve(flag=flag, by=pm, resolution="Fixed the export.", now=NOW)
    assert RedFlag.objects.get(pk=flag.pk).status == FlagStatus.RESOLVED


def test_an_executive_cannot_raise_a_flag_nor_work_its_action_plan(executive, pm, client_key_user, engagement, flag):
    with pytest.raises(PermissionDenied):
        escalation_services.flag_raise(
            engagement=engagement,
            by=executive,
            title="Call from the client",
            description="They are unhappy.",
            category="quality",
            severity="high",
            now=NOW,
        )
    due = NOW.date() + timedelta(days=2)
    step_fields = {"title": "Send the list", "owner_side": StepSide.CLIENT, "owner": client_key_user, "due_on": due}
    with pytest.raises(PermissionDenied):
        escalation_services.step_add(flag=flag, by=executive, risk="Orders stay lost", now=NOW, **step_fields)
    step = escalation_services.step_add(flag=flag, by=pm, risk="Orders stay lost", now=NOW, **step_fields)
    with pytest.raises(PermissionDenied):
        escalation_services.step_update(step=step, by=executive, status=StepStatus.DONE, now=NOW)
    with pytest.raises(PermissionDenied):
        escalation_services.plan_agree(flag=flag, by=executive, now=NOW)
    assert ActionStep.objects.get(pk=step.pk).status != StepStatus.DONE


def test_an_executive_cannot_delete_nor_change_a_stakeholder_row(executive, team_member, engagement):
    stakeholder = StakeholderFactory(engagement=engagement, name="Olga", role_title="Head of IT")
    with pytest.raises(PermissionDenied):
        services.stakeholder_delete(by=executive, stakeholder=stakeholder)
    with pytest.raises(PermissionDenied):
        services.stakeholder_save(by=executive, engagement=engagement, stakeholder=stakeholder, email="x@evil.example")
    with pytest.raises(PermissionDenied):
        services.stakeholder_save(by=executive, engagement=engagement, name="Added by an executive")
    assert list(Stakeholder.objects.filter(engagement=engagement).values_list("name", "email")) == [("Olga", "")]
    services.stakeholder_delete(by=team_member, stakeholder=stakeholder)
    assert not Stakeholder.objects.filter(engagement=engagement).exists()


def test_an_executive_cannot_change_an_item(executive, team_member, engagement):
    item = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), title="Grant access")
    with pytest.raises(PermissionDenied):
        checklist_services.item_update(by=executive, item=item, status=ItemStatus.IN_PROGRESS, now=NOW)
    with pytest.raises(PermissionDenied):
        checklist_services.item_complete(by=executive, item=item, evidence_link="https://example.com", now=NOW)
    with pytest.raises(PermissionDenied):
        checklist_services.item_comment_add(by=executive, item=item, body="Hurry up", now=NOW)
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN and not item.comments.exists()
    checklist_services.item_update(by=team_member, item=item, status=ItemStatus.IN_PROGRESS, now=NOW)
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_PROGRESS


def test_an_executive_cannot_add_close_or_change_a_promise(executive, pm, engagement):
    promise = PromiseFactory(engagement=engagement, description="Weekly report")
    with pytest.raises(PermissionDenied):
        services.promise_add(
            by=executive, engagement=engagement, description="Free month", owner=pm, due_at=NOW, side=Side.VENDOR
        )
    with pytest.raises(PermissionDenied):
        services.promise_close(by=executive, promise=promise, status=PromiseStatus.DROPPED, now=NOW)
    with pytest.raises(PermissionDenied):
        services.promise_update(by=executive, promise=promise, description="Monthly report")
    promise.refresh_from_db()
    assert (promise.status, promise.description) == (PromiseStatus.OPEN, "Weekly report")
    assert Promise.objects.filter(engagement=engagement).count() == 1


def test_an_executive_reads_the_pages_whose_forms_are_the_teams(client, executive, engagement):
    item = ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement), title="Grant access")
    client.force_login(executive)
    page = client.get(reverse("checklists:item", args=[item.pk]))
    assert page.status_code == 200
    assert reverse("checklists:item_complete", args=[item.pk]) not in page.content.decode()
    stakeholders = client.get(reverse("engagements:stakeholders", args=[engagement.pk]))
    assert stakeholders.status_code == 200 and "Add a stakeholder" not in stakeholders.content.decode()
    assert client.post(reverse("checklists:item", args=[item.pk]), {"status": "in_progress"}).status_code == 404
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN


def test_the_engagement_page_offers_an_executive_no_controls(client, executive, team_member, engagement):
    stage = ChecklistStageFactory(engagement=engagement)
    item = ChecklistItemFactory(stage=stage, title="Set up the test environment")
    PromiseFactory(engagement=engagement, description="Weekly report on Fridays")
    url = reverse("portfolio:engagement", args=[engagement.pk])
    tick = reverse("checklists:item", args=[item.pk])

    client.force_login(executive)
    watched = client.get(url).content.decode()
    assert "Set up the test environment" in watched and "Weekly report on Fridays" in watched
    assert f'hx-post="{tick}"' not in watched
    assert "Track a promise" not in watched
    assert reverse("engagements:promise_add", args=[engagement.pk]) not in watched

    client.force_login(team_member)
    worked = client.get(url).content.decode()
    assert f'hx-post="{tick}"' in worked
    assert "Track a promise" in worked


def test_the_meeting_and_plan_pages_offer_an_executive_no_promise_forms(client, executive, team_member, engagement):
    meeting = MeetingFactory(series__engagement=engagement)
    pages = (reverse("governance:meeting", args=[meeting.pk]), reverse("governance:plan", args=[engagement.pk]))
    for url in pages:
        client.force_login(executive)
        watched = client.get(url)
        assert watched.status_code == 200
        assert 'data-testid="promise-form"' not in watched.content.decode(), url
        client.force_login(team_member)
        assert 'data-testid="promise-form"' in client.get(url).content.decode(), url
