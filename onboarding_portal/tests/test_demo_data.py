from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from checklists import services as checklist_services
from checklists.models import ChecklistItem, SatisfactionReason, SatisfactionScore, StageActual
from checklists.tasks import ask_day30_satisfaction
from engagements.models import Engagement, Phase

pytestmark = pytest.mark.django_db


def _counts():
    return (Engagement.objects.count(), ChecklistItem.objects.count(), SatisfactionScore.objects.count())


def test_seed_demo_builds_engagements_at_different_phases_and_is_idempotent(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    phases = set(Engagement.objects.values_list("phase", flat=True))
    assert {Phase.HANDOFF, Phase.KICKOFF, Phase.ONBOARDING, Phase.LIVE} <= phases
    assert ChecklistItem.objects.overdue(timezone.localdate()).exists()
    assert ChecklistItem.objects.filter(status="done").exists()
    # The live engagement could go live: the client accepted everything the gate asks for.
    live = Engagement.objects.get(phase=Phase.LIVE)
    assert checklist_services.go_live_missing(live) == []
    assert StageActual.objects.filter(stage__engagement=live).exists()


def test_the_day30_task_asks_once(engagement):
    engagement.kickoff_on = timezone.localdate() - timedelta(days=40)
    engagement.save()
    ask_day30_satisfaction()
    ask_day30_satisfaction()
    assert SatisfactionScore.objects.filter(reason=SatisfactionReason.DAY_30).count() == 1
