"""Checklist plans count working days on the engagement's business calendar (its weekdays and its holidays),
which escalations gives through ``engagements.hooks.register_work_calendars``."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from checklists import services
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from engagements import hooks
from escalations.models import Holiday

from .factories import BusinessCalendarFactory, EngagementCoverageFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=ZoneInfo("UTC"))


def test_the_engagements_calendar_decides_the_working_days(csm, engagement):
    # Monday to Thursday only, and an office holiday on Tuesday 12 January 2027.
    calendar = BusinessCalendarFactory(windows=[(day, time(8), time(16)) for day in range(4)])
    Holiday.objects.create(calendar=calendar, date=date(2027, 1, 12), name="Office move")
    EngagementCoverageFactory(engagement=engagement, calendar=calendar)
    work = hooks.work_calendars([engagement.pk])[engagement.pk]
    assert not work.is_working_day(date(2027, 1, 8))  # a Friday
    assert not work.is_working_day(date(2027, 1, 12))
    stage = ChecklistStageFactory(engagement=engagement)
    contact = ChecklistItemFactory(stage=stage, due_on=date(2027, 1, 7))  # a Thursday
    environment = ChecklistItemFactory(stage=stage, due_on=date(2027, 1, 7))
    services.dependency_add(by=csm, item=environment, predecessor_id=contact.pk, lag_days=1, now=NOW)
    environment.refresh_from_db()
    # Friday and the weekend are off, Monday is the lag, Tuesday a holiday: Wednesday the 13th.
    assert environment.due_on == date(2027, 1, 13)
