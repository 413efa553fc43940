"""Governance's lists on "My work" (issue 10): my open action items from meetings and my promises, due soon or
overdue, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from engagements.models import Phase
from engagements.tests.factories import EngagementFactory, PromiseFactory

from .factories import OutcomeFactory

pytestmark = pytest.mark.django_db


def _section(client, user, name):
    client.force_login(user)
    response = client.get(reverse("portfolio:my_work"))
    assert response.status_code == 200
    body = response.content.decode()
    marker = f'data-testid="work-{name}"'
    return body.split(marker)[1].split("</section>")[0] if marker in body else ""


def _action(engagement, owner, *, text, days):
    return OutcomeFactory(
        agenda_item__meeting__series__engagement=engagement,
        action=True,
        owner=owner,
        text=text,
        due_on=timezone.localdate() + timedelta(days=days),
    )


def test_my_action_items_due_soon_or_overdue(client, engagement, pm, csm):
    late = _action(engagement, pm, text="Send the test plan", days=-2)
    _action(engagement, pm, text="Book the workshop room", days=3)
    _action(engagement, pm, text="Plan the go-live party", days=30)
    _action(engagement, csm, text="Someone else's action", days=1)
    done = _action(engagement, pm, text="Already sent", days=-1)
    done.status = "done"
    done.save()
    section = _section(client, pm, "governance.action_items")
    assert "Send the test plan" in section and "Book the workshop room" in section
    assert "Plan the go-live party" not in section and "Someone else's action" not in section
    assert "Already sent" not in section
    assert " · overdue · " in section
    url = reverse("governance:meeting", args=[late.meeting_id]) + f"#agenda-item-{late.agenda_item_id}"
    assert f'href="{url}"' in section


def test_my_promises_due_soon_or_overdue(client, engagement, csm):
    PromiseFactory(engagement=engagement, owner=csm, overdue=True, description="Send the security paper")
    PromiseFactory(engagement=engagement, owner=csm, description="Weekly report", shown_to_client=True)
    PromiseFactory(engagement=engagement, owner=csm, description="Far away", due_at=timezone.now() + timedelta(days=30))
    PromiseFactory(engagement=engagement, owner=csm, description="Kept already", status="kept", overdue=True)
    PromiseFactory(engagement=engagement, client_side=True, overdue=True, description="The client's promise")
    section = _section(client, csm, "engagements.promises")
    assert "Send the security paper" in section and "Weekly report" in section
    assert "shown to the client" in section
    assert "Far away" not in section and "Kept already" not in section and "The client's promise" not in section
    assert "list-group-item-danger" in section and " · overdue · " in section  # the overdue one says so in words
    assert f'href="{reverse("governance:plan", args=[engagement.pk])}#promises"' in section


def test_closed_engagements_and_other_teams_are_left_out(client, engagement, pm, csm, client_org):
    closed = EngagementFactory(client=client_org, csm=csm, pm=pm, phase=Phase.CLOSED)
    _action(closed, pm, text="On a closed engagement", days=-1)
    PromiseFactory(engagement=closed, owner=csm, overdue=True, description="Closed promise")
    assert _section(client, pm, "governance.action_items") == ""
    assert _section(client, csm, "engagements.promises") == ""


def test_governance_lists_queries_do_not_grow_with_data(client, page_queries, engagement, pm, client_org, csm):
    def grow(n):
        for _ in range(n):
            other = EngagementFactory(client=client_org, csm=csm, pm=pm)
            for days in (-3, 1, 2):
                _action(other, pm, text="An action", days=days)
                PromiseFactory(engagement=other, owner=pm, due_at=timezone.now() + timedelta(days=days))

    client.force_login(pm)
    grow(1)
    small = page_queries(client, reverse("portfolio:my_work"))
    grow(6)
    assert page_queries(client, reverse("portfolio:my_work")) == small
    body = client.get(reverse("portfolio:my_work")).content.decode()
    assert "Your action items from meetings" in body and "Your promises" in body
