"""Races that a plain test transaction would hide: run on PostgreSQL with real row locks."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from checklists import services as checklist_services
from checklists.models import ChecklistStage, Decision, StageAcceptance
from engagements import services

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
    template = checklist_services.template_default_ensure()
    outcomes = _race(lambda: checklist_services.template_apply(by=csm, engagement=engagement, template=template))
    assert outcomes == ["ok", "refused"]
    assert ChecklistStage.objects.filter(engagement=engagement).count() == template.stages.count()


def test_a_double_clicked_acceptance_is_recorded_once(client_key_user, engagement):
    stage = ChecklistStageFactory(engagement=engagement, needs_acceptance=True)
    ChecklistItemFactory(stage=stage, done=True)
    outcomes = _race(
        lambda: checklist_services.acceptance_decide(
            by=client_key_user, engagement=engagement, stage=stage, decision=Decision.ACCEPTED
        )
    )
    assert outcomes == ["ok", "refused"]
    stage.refresh_from_db()
    assert stage.accepted_at is not None
    assert StageAcceptance.objects.filter(stage=stage).count() == 1


def test_a_double_clicked_work_plan_acceptance_records_one_baseline(client_key_user, engagement):
    ChecklistItemFactory(stage=ChecklistStageFactory(engagement=engagement))
    outcomes = _race(
        lambda: checklist_services.acceptance_decide(
            by=client_key_user, engagement=engagement, decision=Decision.ACCEPTED
        )
    )
    assert outcomes == ["ok", "refused"]
    assert StageAcceptance.objects.filter(engagement=engagement, stage__isnull=True).count() == 1


def test_a_double_submitted_new_client_is_created_once_and_the_other_click_gets_a_message(csm):
    from accounts.models import Organization

    outcomes = _race(lambda: services.client_create(by=csm, name="Umbrella Pharma"))
    assert outcomes == ["ok", "refused"]
    assert Organization.objects.filter(name="Umbrella Pharma").count() == 1
