"""Races that a plain test transaction would hide: run on PostgreSQL with real row locks."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from engagements import services
from engagements.models import ChecklistStage, Decision, StageAcceptance

from .factories import ChecklistItemFactory, ChecklistStageFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(target, n=2):
    barrier = threading.Barrier(n)
    outcomes = []

    def run():
        barrier.wait()
        try:
            target()
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_a_double_submitted_template_is_applied_once(csm, engagement):
    template = services.template_default_ensure()
    outcomes = _race(lambda: services.template_apply(by=csm, engagement=engagement, template=template))
    assert outcomes == ["ok", "refused"]
    assert ChecklistStage.objects.filter(engagement=engagement).count() == template.stages.count()


def test_a_double_clicked_acceptance_is_recorded_once(client_key_user, engagement):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    ChecklistItemFactory(stage=stage, done=True)
    outcomes = _race(
        lambda: services.acceptance_decide(
            by=client_key_user, engagement=engagement, stage=stage, decision=Decision.ACCEPTED
        )
    )
    assert outcomes == ["ok", "refused"]
    stage.refresh_from_db()
    assert stage.accepted_at is not None
    assert StageAcceptance.objects.filter(stage=stage).count() == 1
