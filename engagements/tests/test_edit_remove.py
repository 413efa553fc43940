"""Editing and removing what could only be added: resource links, integrations, promises, milestones."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from engagements import services
from engagements.models import Integration, Milestone, PromiseStatus, ResourceLink

from .factories import IntegrationFactory, MilestoneFactory, PromiseFactory, ResourceLinkFactory

pytestmark = pytest.mark.django_db


# --- Services -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "service", "kwarg", "model"),
    [
        (ResourceLinkFactory, services.resource_link_delete, "link", ResourceLink),
        (IntegrationFactory, services.integration_delete, "integration", Integration),
        (MilestoneFactory, services.milestone_delete, "milestone", Milestone),
    ],
)
def test_only_managers_remove(factory, service, kwarg, model, engagement, csm, pm, team_member, other_csm, director):
    records = [factory(engagement=engagement) for _ in range(3)]
    for outsider in (team_member, other_csm):
        with pytest.raises(PermissionDenied):
            service(by=outsider, **{kwarg: records[0]})
    assert model.objects.filter(pk=records[0].pk).exists()
    for manager, record in zip((csm, pm, director), records, strict=True):
        service(by=manager, **{kwarg: record})
    assert not model.objects.filter(engagement=engagement).exists()


def test_a_client_user_cannot_remove(engagement, client_key_user):
    link = ResourceLinkFactory(engagement=engagement)
    with pytest.raises(PermissionDenied):
        services.resource_link_delete(by=client_key_user, link=link)


def test_a_promise_changes_owner_date_and_title(engagement, team_member, pm):
    promise = PromiseFactory(engagement=engagement)
    due = (timezone.now() + timedelta(days=20)).replace(microsecond=0)
    services.promise_update(by=team_member, promise=promise, description="Weekly status report", owner=pm, due_at=due)
    promise.refresh_from_db()
    assert (promise.description, promise.owner, promise.due_at) == ("Weekly status report", pm, due)


def test_our_promise_is_owned_by_our_staff_and_nothing_changes(engagement, csm, client_key_user):
    promise = PromiseFactory(engagement=engagement)
    before = (promise.description, promise.owner_id)
    with pytest.raises(ValidationError, match="our staff"):
        services.promise_update(by=csm, promise=promise, description="Changed", owner=client_key_user)
    promise.refresh_from_db()
    assert (promise.description, promise.owner_id) == before


def test_an_outsider_cannot_edit_a_promise(engagement, other_csm):
    promise = PromiseFactory(engagement=engagement)
    with pytest.raises(PermissionDenied):
        services.promise_update(by=other_csm, promise=promise, description="Hijacked")


def test_a_kept_promise_is_reopened(engagement, csm):
    promise = PromiseFactory(engagement=engagement)
    services.promise_close(by=csm, promise=promise)
    reopened = services.promise_reopen(by=csm, promise=promise)
    assert reopened.status == PromiseStatus.OPEN
    assert reopened.closed_at is None


def test_a_milestone_is_edited_and_another_engagements_is_refused(engagement, other_engagement, csm):
    milestone = MilestoneFactory(engagement=engagement)
    services.milestone_save(by=csm, engagement=engagement, milestone=milestone, title="Pilot live")
    milestone.refresh_from_db()
    assert milestone.title == "Pilot live"
    foreign = MilestoneFactory(engagement=other_engagement)
    with pytest.raises(PermissionDenied):
        services.milestone_save(by=csm, engagement=engagement, milestone=foreign, title="x")


def test_a_link_of_another_engagement_is_refused(engagement, other_engagement, csm):
    with pytest.raises(PermissionDenied):
        services.resource_link_save(
            by=csm, engagement=engagement, link=ResourceLinkFactory(engagement=other_engagement), title="x"
        )


# --- Views ------------------------------------------------------------------------------------------


def test_a_manager_removes_a_link_from_the_page(client, csm, engagement):
    link = ResourceLinkFactory(engagement=engagement, title="Jira board")
    client.force_login(csm)
    page = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    assert reverse("engagements:link_delete", args=[link.pk]) in page
    response = client.post(reverse("engagements:link_delete", args=[link.pk]), {"confirm": "yes"}, follow=True)
    assert "Link removed." in response.content.decode()
    assert not ResourceLink.objects.filter(pk=link.pk).exists()


def test_removal_without_confirmation_changes_nothing(client, csm, engagement):
    integration = IntegrationFactory(engagement=engagement)
    client.force_login(csm)
    response = client.post(reverse("engagements:integration_delete", args=[integration.pk]), follow=True)
    assert "Confirm the removal." in response.content.decode()
    assert Integration.objects.filter(pk=integration.pk).exists()


def test_a_team_member_sees_no_remove_button_and_gets_404(client, team_member, engagement):
    milestone = MilestoneFactory(engagement=engagement)
    client.force_login(team_member)
    page = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    assert reverse("engagements:milestone_delete", args=[milestone.pk]) not in page
    assert reverse("engagements:milestone_edit", args=[milestone.pk]) in page
    response = client.post(reverse("engagements:milestone_delete", args=[milestone.pk]), {"confirm": "yes"})
    assert response.status_code == 404
    assert Milestone.objects.filter(pk=milestone.pk).exists()


def test_the_milestone_form_edits_and_keeps_bad_input(client, team_member, engagement):
    milestone = MilestoneFactory(engagement=engagement, title="Pilot")
    client.force_login(team_member)
    url = reverse("engagements:milestone_edit", args=[milestone.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"title": "Pilot live", "due_on": "not a date"})
    assert bad.status_code == 200
    assert 'value="Pilot live"' in bad.content.decode()
    milestone.refresh_from_db()
    assert milestone.title == "Pilot"
    due = (timezone.localdate() + timedelta(days=9)).isoformat()
    response = client.post(url, {"title": "Pilot live", "due_on": due, "is_early_win": "on"})
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.title, milestone.due_on.isoformat(), milestone.is_early_win) == ("Pilot live", due, True)


def test_the_promise_form_edits_and_reopens(client, csm, pm, engagement):
    promise = PromiseFactory(engagement=engagement, status=PromiseStatus.KEPT, closed_at=timezone.now())
    client.force_login(csm)
    url = reverse("engagements:promise_edit", args=[promise.pk])
    due = (timezone.localdate() + timedelta(days=3)).isoformat() + "T12:00"
    response = client.post(
        url,
        {"description": "Named contact in 24 h", "side": "vendor", "source": "sales", "owner": pm.pk, "due_at": due},
    )
    assert response.status_code == 302
    page = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    assert "Named contact in 24 h" in page
    assert reverse("engagements:promise_reopen", args=[promise.pk]) in page
    client.post(reverse("engagements:promise_reopen", args=[promise.pk]))
    promise.refresh_from_db()
    assert (promise.owner, promise.status) == (pm, PromiseStatus.OPEN)


def test_a_promise_of_another_client_is_404(client, csm, other_engagement):
    promise = PromiseFactory(engagement=other_engagement, status=PromiseStatus.KEPT, closed_at=timezone.now())
    client.force_login(csm)
    assert client.get(reverse("engagements:promise_edit", args=[promise.pk])).status_code == 404
    assert client.post(reverse("engagements:promise_reopen", args=[promise.pk])).status_code == 404
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.KEPT


def test_the_client_promises_too_with_an_owner_of_their_own(engagement, csm, client_member, pm):
    due = timezone.now() + timedelta(days=5)
    promise = services.promise_add(
        by=csm,
        engagement=engagement,
        description="Send the firewall change request",
        owner=client_member,
        due_at=due,
        side="client",
    )
    assert (promise.side, promise.owner) == ("client", client_member)
    with pytest.raises(ValidationError, match="client's people"):
        services.promise_update(by=csm, promise=promise, owner=pm)


def test_an_open_promise_past_its_due_time_is_overdue(engagement):
    late = PromiseFactory(engagement=engagement, overdue=True)
    PromiseFactory(engagement=engagement)
    PromiseFactory(engagement=engagement, overdue=True, status=PromiseStatus.KEPT)
    now = timezone.now()
    assert list(engagement.promises.overdue(now)) == [late]
    assert late.is_overdue(now)


def test_a_source_registered_by_another_app_is_accepted(engagement, csm, monkeypatch):
    from engagements import hooks

    monkeypatch.setattr(hooks, "_promise_sources", dict(hooks._promise_sources))
    with pytest.raises(ValidationError):
        services.promise_add(
            by=csm, engagement=engagement, description="Agenda", owner=csm, due_at=timezone.now(), source="workshop"
        )
    hooks.register_promise_source("workshop", "Workshop")
    promise = services.promise_add(
        by=csm, engagement=engagement, description="Agenda", owner=csm, due_at=timezone.now(), source="workshop"
    )
    assert promise.get_source_display() == "Workshop"


# --- Who sees a link ------------------------------------------------------------------------------


def test_managers_show_a_link_to_the_client_and_take_it_off(engagement, csm, pm, director):
    link = ResourceLinkFactory(engagement=engagement, client_visible=False)
    for manager, visible in ((csm, True), (pm, False), (director, True)):
        services.resource_link_set_client_visible(by=manager, link=link, client_visible=visible)
        link.refresh_from_db()
        assert link.client_visible is visible


def test_only_managers_change_who_sees_a_link(engagement, team_member, other_csm, client_key_user):
    link = ResourceLinkFactory(engagement=engagement, client_visible=False)
    for outsider in (team_member, other_csm, client_key_user):
        with pytest.raises(PermissionDenied):
            services.resource_link_set_client_visible(by=outsider, link=link, client_visible=True)
    link.refresh_from_db()
    assert link.client_visible is False


def test_a_manager_changes_who_sees_a_link_from_the_engagement_page(client, csm, engagement, client_key_user):
    link = ResourceLinkFactory(engagement=engagement, title="Jira board", client_visible=False)
    url = reverse("engagements:link_audience", args=[link.pk])
    client.force_login(csm)
    page = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    assert f'action="{url}"' in page and "show to the client" in page
    response = client.post(url, {"client_visible": "on"}, follow=True)
    assert response.redirect_chain[-1][0].endswith("#links")
    assert "The client now sees “Jira board” on their portal." in response.content.decode()
    link.refresh_from_db()
    assert link.client_visible
    client.force_login(client_key_user)
    assert "Jira board" in client.get(reverse("portal:project", args=[engagement.pk])).content.decode()
    # An unticked box (the "hide" button sends none) keeps it to the team.
    client.force_login(csm)
    assert "Only the team sees “Jira board” now." in client.post(url, {}, follow=True).content.decode()
    link.refresh_from_db()
    assert not link.client_visible
    client.force_login(client_key_user)
    assert "Jira board" not in client.get(reverse("portal:project", args=[engagement.pk])).content.decode()


def test_changing_who_sees_a_link_needs_a_post_with_the_csrf_token(csm, engagement, team_member):
    link = ResourceLinkFactory(engagement=engagement, client_visible=False)
    url = reverse("engagements:link_audience", args=[link.pk])
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(csm)
    assert guarded.get(url).status_code == 405
    assert guarded.post(url, {"client_visible": "on"}).status_code == 403
    # A team member who does not manage the engagement gets 404, like any outsider.
    member = Client()
    member.force_login(team_member)
    assert member.post(url, {"client_visible": "on"}).status_code == 404
    link.refresh_from_db()
    assert not link.client_visible
