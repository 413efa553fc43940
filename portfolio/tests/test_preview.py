""" "Preview as client": staff read the engagement's portal as its client sees it, and gain nothing by it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.tests.factories import UserFactory
from checklists.models import ItemStatus, StageAcceptance
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements.models import Engagement
from engagements.tests.factories import EngagementFactory
from portfolio import preview

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_task(engagement):
    stage = ChecklistStageFactory(engagement=engagement)
    return ChecklistItemFactory(stage=stage, client_side=True, title="Send the user list")


@pytest.fixture
def second_engagement(client_org, other_csm):
    """Another engagement of the same client that the fixture engagement's team does not work on."""
    return EngagementFactory(client=client_org, csm=other_csm, name="Payroll migration")


def _start(client, engagement):
    return client.post(reverse("portfolio:preview", args=[engagement.pk]))


def test_staff_read_the_portal_as_the_client_with_a_banner(client, pm, engagement, client_task):
    client.force_login(pm)
    response = _start(client, engagement)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:project", args=[engagement.pk])

    page = client.get(reverse("portal:project", args=[engagement.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="preview-banner"' in html
    assert f"Preview as {engagement.client.name}" in html
    assert 'fieldset disabled class="preview-readonly"' in html  # every form control on the page is disabled
    tasks = client.get(reverse("portal:tasks")).content.decode()
    assert "Send the user list" in tasks


def test_the_preview_shows_only_the_previewed_engagement(client, director, engagement, second_engagement):
    """Even a director, who sees all of the client's engagements, previews one: the portal home lists it alone."""
    client.force_login(director)
    _start(client, engagement)
    html = client.get(reverse("portal:home")).content.decode()
    assert engagement.name in html
    assert second_engagement.name not in html
    assert client.get(reverse("portal:project", args=[second_engagement.pk])).status_code == 404


def test_a_team_member_cannot_reach_the_clients_other_engagement_through_the_preview(
    client, team_member, engagement, second_engagement
):
    client.force_login(team_member)
    _start(client, engagement)
    assert client.get(reverse("portal:engagement", args=[second_engagement.pk])).status_code == 404
    assert second_engagement.name not in client.get(reverse("portal:flags")).content.decode()


def test_writes_are_refused_and_change_nothing(client, pm, engagement, client_task):
    client.force_login(pm)
    _start(client, engagement)
    response = client.post(reverse("portal:item_complete", args=[client_task.pk]))
    assert response.status_code == 403
    client_task.refresh_from_db()
    assert client_task.status != ItemStatus.DONE
    response = client.post(reverse("portal:flag_raise"), {"engagement": engagement.pk, "title": "x"})
    assert response.status_code == 403
    assert not engagement.red_flags.exists()


def test_staff_who_do_not_see_the_engagement_cannot_preview_it(client, other_csm, engagement):
    client.force_login(other_csm)
    assert _start(client, engagement).status_code == 404
    assert preview.SESSION_KEY not in client.session
    assert client.get(reverse("portal:home")).status_code == 404


def test_a_client_user_cannot_start_a_preview(client, client_key_user, engagement):
    client.force_login(client_key_user)
    assert _start(client, engagement).status_code == 404
    assert preview.SESSION_KEY not in client.session


def test_the_preview_ends_when_the_staff_member_leaves_the_engagement(client, team_member, engagement):
    client.force_login(team_member)
    _start(client, engagement)
    assert client.get(reverse("portal:home")).status_code == 200
    engagement.members.filter(user=team_member).delete()
    assert client.get(reverse("portal:home")).status_code == 404  # the portal answers staff 404
    assert preview.SESSION_KEY not in client.session


def test_staff_pages_stay_the_staff_members_own_during_a_preview(client, pm, engagement):
    client.force_login(pm)
    _start(client, engagement)
    response = client.get(reverse("portfolio:engagement", args=[engagement.pk]))
    assert response.status_code == 200
    assert response.wsgi_request.user == pm
    assert "preview-banner" not in response.content.decode()


def test_exit_ends_the_preview_and_returns_to_the_engagement(client, pm, engagement):
    client.force_login(pm)
    _start(client, engagement)
    response = client.post(reverse("portfolio:preview_exit"))
    assert response["Location"] == reverse("portfolio:engagement", args=[engagement.pk])
    assert preview.SESSION_KEY not in client.session
    assert client.get(reverse("portal:home")).status_code == 404


def test_the_principal_is_no_account(pm, engagement):
    principal = preview.preview_principal(Engagement.objects.select_related("client").get(pk=engagement.pk), staff=pm)
    assert principal.is_client_user and not principal.is_key_user
    assert not principal.is_superuser and not principal.sees_portfolio
    with pytest.raises(PermissionDenied):
        principal.save()
    assert list(Engagement.objects.visible_to(principal)) == [engagement]


PORTAL_PAGES = ["home", "tasks", "meetings", "action_items", "promises", "flags", "flag_raise", "sla"]
ENGAGEMENT_PAGES = ["project", "engagement"]


def test_every_portal_page_renders_in_the_preview_and_writes_nothing(client, pm, engagement, client_task):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(pm)
    _start(client, engagement)
    urls = [reverse(f"portal:{name}") for name in PORTAL_PAGES]
    urls += [reverse(f"portal:{name}", args=[engagement.pk]) for name in ENGAGEMENT_PAGES]
    urls.append(reverse("portal:item", args=[client_task.pk]))
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        assert "preview-banner" in response.content.decode(), url
        writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
        assert not [w for w in writes if "django_session" not in w], (url, writes)


def test_staff_preview_as_the_key_user_reads_the_key_user_pages_and_cannot_decide(client, pm, engagement):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    ChecklistItemFactory(stage=stage, done=True)
    colleague = UserFactory(client_member=True, organization=engagement.client, full_name="Zofia Kowalska")
    client.force_login(pm)
    client.post(reverse("portfolio:preview", args=[engagement.pk]), {"as": "key_user"})
    people = client.get(reverse("portal:people"))
    assert people.status_code == 200 and colleague.full_name in people.content.decode()
    html = client.get(reverse("portal:engagement", args=[engagement.pk])).content.decode()
    # The decision buttons are there, inside the preview's disabled fieldset.
    assert f'data-testid="accept-stage-{stage.pk}"' in html
    assert 'fieldset disabled class="preview-readonly"' in html
    response = client.post(reverse("portal:stage_decision", args=[stage.pk]), {"decision": "accepted"})
    assert response.status_code == 403
    assert not StageAcceptance.objects.exists()
    # A preview as a member (the default) has no key-user pages.
    client.post(reverse("portfolio:preview", args=[engagement.pk]))
    assert client.get(reverse("portal:people")).status_code in (403, 404)
