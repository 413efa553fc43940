"""The go-live gate: onboarding -> live needs the client's accepted work plan."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from checklists import services as checklist_services
from checklists.models import Decision
from engagements import services
from engagements.models import Phase
from engagements.tests.factories import StakeholderFactory

from .factories import ChecklistItemFactory, ChecklistStageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def onboarding(engagement, client_key_user):
    engagement.phase = Phase.ONBOARDING
    engagement.save()
    StakeholderFactory(engagement=engagement, key_user=True, user=client_key_user)
    scope = ChecklistStageFactory(engagement=engagement, needs_acceptance=True, title="Scope")
    ChecklistItemFactory(stage=scope, done=True)
    environments = ChecklistStageFactory(engagement=engagement, title="Environments")
    ChecklistItemFactory(stage=environments)
    return engagement


def _decide(user, engagement, decision, stage=None, reason=""):
    return checklist_services.acceptance_decide(
        by=user, engagement=engagement, stage=stage, decision=decision, reason=reason
    )


def test_go_live_is_refused_without_the_accepted_work_plan(csm, onboarding):
    with pytest.raises(ValidationError) as error:
        services.engagement_change_phase(by=csm, engagement=onboarding, to=Phase.LIVE)
    text = " ".join(error.value.messages)
    assert "not accepted the work plan" in text
    assert "Scope" in text
    onboarding.refresh_from_db()
    assert onboarding.phase == Phase.ONBOARDING


def test_go_live_names_the_stage_still_awaiting_acceptance(csm, client_key_user, onboarding):
    _decide(client_key_user, onboarding, Decision.ACCEPTED)
    with pytest.raises(ValidationError) as error:
        services.engagement_change_phase(by=csm, engagement=onboarding, to=Phase.LIVE)
    text = " ".join(error.value.messages)
    assert "awaiting the client's acceptance: Scope" in text
    assert "work plan" not in text


def test_a_rejected_work_plan_blocks_the_go_live_even_after_an_earlier_acceptance(csm, client_key_user, onboarding):
    scope = onboarding.stages.get(title="Scope")
    _decide(client_key_user, onboarding, Decision.ACCEPTED, stage=scope)
    _decide(client_key_user, onboarding, Decision.ACCEPTED)
    _decide(client_key_user, onboarding, Decision.REJECTED, reason="Dates are unrealistic")
    with pytest.raises(ValidationError, match="rejected the work plan"):
        services.engagement_change_phase(by=csm, engagement=onboarding, to=Phase.LIVE)


def test_go_live_passes_once_everything_is_accepted(csm, client_key_user, onboarding):
    scope = onboarding.stages.get(title="Scope")
    _decide(client_key_user, onboarding, Decision.ACCEPTED, stage=scope)
    _decide(client_key_user, onboarding, Decision.ACCEPTED)
    assert checklist_services.go_live_missing(onboarding) == []
    moved = services.engagement_change_phase(by=csm, engagement=onboarding, to=Phase.LIVE)
    assert moved.phase == Phase.LIVE


def test_the_gate_applies_only_from_onboarding_to_live(csm, onboarding):
    # Closing an engagement that never went live is always possible.
    moved = services.engagement_change_phase(
        by=csm, engagement=onboarding, to=Phase.CLOSED, reason="The client cancelled"
    )
    assert moved.phase == Phase.CLOSED


def test_the_page_says_what_is_missing_and_the_refusal_explains(client, csm, onboarding):
    client.force_login(csm)
    page = client.get(reverse("portfolio:engagement", args=[onboarding.pk]))
    body = page.content.decode()
    assert "Not ready for the go-live yet:" in body
    # While the gate is unmet, "Move to live" is no primary button, and it points at what is missing.
    button = body.split('data-testid="move-to-live-unready"')[0].rsplit("<button", 1)[1]
    assert "btn-outline-secondary" in button and 'aria-describedby="go-live-missing"' in button
    response = client.post(reverse("engagements:phase", args=[onboarding.pk]), {"to": "live"}, follow=True)
    body = response.content.decode()
    assert "cannot go live yet" in body
    assert "Scope" in body
    onboarding.refresh_from_db()
    assert onboarding.phase == Phase.ONBOARDING
