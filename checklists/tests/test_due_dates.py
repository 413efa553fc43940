"""Template due dates count from the kickoff (or the contract signature). A checklist is often
applied before the kickoff date is known: once it is set, the dates nobody chose must follow it."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from checklists import services as checklist_services
from checklists.models import ChecklistItem, DueFrom
from engagements import services
from engagements.models import Phase
from engagements.tests.factories import HandoffFactory

from .factories import TemplateItemFactory, TemplateStageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def template():
    stage = TemplateStageFactory(title="Scope")
    TemplateItemFactory(stage=stage, title="Kickoff + 7", due_from=DueFrom.KICKOFF, due_offset_days=7)
    TemplateItemFactory(stage=stage, title="Contract + 10", due_from=DueFrom.CONTRACT, due_offset_days=10)
    return stage.template


def test_setting_the_kickoff_later_moves_the_kickoff_relative_dates(csm, engagement, template):
    engagement.kickoff_on, engagement.contract_signed_on = None, date(2026, 1, 5)
    engagement.save()
    checklist_services.template_apply(by=csm, engagement=engagement, template=template)
    item = ChecklistItem.objects.get(title="Kickoff + 7")
    assert item.due_on == date(2026, 1, 12)  # counted from the contract while the kickoff is unknown
    services.engagement_update(by=csm, engagement=engagement, kickoff_on=date(2026, 2, 2))
    item.refresh_from_db()
    assert item.due_on == date(2026, 2, 9)
    assert ChecklistItem.objects.get(title="Contract + 10").due_on == date(2026, 1, 15)
    assert item.events.filter(action="updated").exists()


def test_a_date_set_by_hand_stays_when_the_kickoff_moves(csm, engagement, template):
    engagement.kickoff_on = date(2026, 2, 2)
    engagement.save()
    checklist_services.template_apply(by=csm, engagement=engagement, template=template)
    item = ChecklistItem.objects.get(title="Kickoff + 7")
    checklist_services.item_update(by=csm, item=item, due_on=date(2026, 2, 20))
    services.engagement_update(by=csm, engagement=engagement, kickoff_on=date(2026, 3, 2))
    item.refresh_from_db()
    assert item.due_on == date(2026, 2, 20)


def test_the_kickoff_phase_anchors_the_dates_on_the_local_kickoff_day(csm, engagement, template):
    engagement.phase, engagement.kickoff_on, engagement.contract_signed_on = Phase.HANDOFF, None, None
    engagement.save()
    HandoffFactory(engagement=engagement)
    # 23:30 in Warsaw on 1 March is still 28 February in UTC: the kickoff day is the local one.
    now = datetime(2026, 3, 1, 23, 30, tzinfo=ZoneInfo("Europe/Warsaw"))
    checklist_services.template_apply(by=csm, engagement=engagement, template=template, now=now - timedelta(days=20))
    with timezone.override(ZoneInfo("Europe/Warsaw")):
        services.engagement_change_phase(by=csm, engagement=engagement, to=Phase.KICKOFF, now=now)
    engagement.refresh_from_db()
    assert engagement.kickoff_on == date(2026, 3, 1)
    assert ChecklistItem.objects.get(title="Kickoff + 7").due_on == date(2026, 3, 8)
