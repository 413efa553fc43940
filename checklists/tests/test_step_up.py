"""A key user with a second factor accepts a stage: asked for a code again when the last one is old, and the
decision is made as submitted once the code is right (``accounts.step_up``)."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import PASSWORD, enrol_totp, totp_code
from checklists.models import StageAcceptance
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory

pytestmark = pytest.mark.django_db


def _sign_in_with_code(client, user):
    secret = enrol_totp(user)
    client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    client.post(reverse("accounts:mfa_authenticate"), {"code": totp_code(secret)})
    return secret


def _age(client, minutes):
    session = client.session
    key = "account_authentication_methods"
    session[key] = [{**record, "at": record["at"] - minutes * 60} for record in session[key]]
    session.save()


def test_an_old_second_factor_is_asked_again_and_the_decision_kept(client, client_key_user, engagement):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    ChecklistItemFactory(stage=stage, done=True)
    secret = _sign_in_with_code(client, client_key_user)
    _age(client, settings.MFA_STEP_UP_MINUTES + 1)
    url = reverse("portal:stage_decision", args=[stage.pk])
    response = client.post(url, {"decision": "accepted"})
    assert response.status_code == 200 and 'data-testid="step-up-form"' in response.content.decode()
    assert 'name="decision" value="accepted"' in response.content.decode()
    stage.refresh_from_db()
    assert stage.accepted_at is None and not StageAcceptance.objects.filter(stage=stage).exists()
    response = client.post(url, {"decision": "accepted", "step_up-code": totp_code(secret, step=1)})
    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.accepted_at is not None


def test_a_fresh_second_factor_decides_at_once(client, client_key_user, engagement):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    ChecklistItemFactory(stage=stage, done=True)
    _sign_in_with_code(client, client_key_user)
    response = client.post(reverse("portal:stage_decision", args=[stage.pk]), {"decision": "accepted"})
    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.accepted_at is not None
