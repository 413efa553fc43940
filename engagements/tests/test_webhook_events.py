"""Engagements emit their webhook events in the transaction that made the change."""

import pytest

from engagements import services
from engagements.models import Phase
from webhooks.models import Delivery, Event
from webhooks.tests.factories import EndpointFactory

pytestmark = pytest.mark.django_db


def test_opening_an_engagement_emits_engagement_created(director, csm, client_org):
    endpoint = EndpointFactory(organization=client_org, event_types=["engagement.created"])
    engagement = services.engagement_create(by=director, client=client_org, name="Rollout", csm=csm)

    event = Event.objects.get(type="engagement.created")
    assert (event.organization_id, event.engagement_id) == (client_org.pk, engagement.pk)
    assert event.data["engagement"]["name"] == "Rollout"
    assert event.data["client"] == {"id": client_org.pk, "name": client_org.name}
    assert Delivery.objects.get().endpoint == endpoint


def test_a_phase_change_emits_from_and_to(csm, engagement):
    engagement.phase = Phase.HANDOFF
    engagement.save()
    services.handoff_record(by=csm, engagement=engagement, problem="Outages", success_measures="Uptime", complete=True)
    services.engagement_change_phase(by=csm, engagement=engagement, to=Phase.KICKOFF)

    event = Event.objects.get(type="engagement.phase_changed")
    assert (event.data["from_phase"], event.data["to_phase"]) == ("handoff", "kickoff")
    assert event.data["engagement"]["kickoff_on"] is not None


def test_a_refused_phase_change_emits_nothing(csm, engagement):
    engagement.phase = Phase.HANDOFF
    engagement.save()
    with pytest.raises(Exception, match="handoff"):
        services.engagement_change_phase(by=csm, engagement=engagement, to=Phase.KICKOFF)
    assert not Event.objects.exists()
