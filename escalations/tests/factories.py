"""Factories for escalations' models. A red flag is best made through ``services.flag_raise`` (``raise_flag``), so
its timers are what the rules say; ``RedFlagFactory`` makes a bare row for list and access tests."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from engagements.tests.factories import EngagementFactory, FiguresRefreshed
from escalations import models, services
from escalations.coverage import default_path

WARSAW = ZoneInfo("Europe/Warsaw")
# Tuesday 10 November 2026, 10:00 in Warsaw (CET): inside business hours, far from a weekend.
TUESDAY_10 = datetime(2026, 11, 10, 10, tzinfo=WARSAW)


def warsaw(*args) -> datetime:
    return datetime(*args, tzinfo=WARSAW).astimezone(UTC)


class BusinessCalendarFactory(DjangoModelFactory):
    class Meta:
        model = models.BusinessCalendar
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Calendar {n}")
    time_zone = "Europe/Warsaw"

    @factory.post_generation
    def windows(obj, create, extracted, **kwargs):
        if not create:
            return
        spans = extracted if extracted is not None else [(day, time(9), time(17)) for day in range(5)]
        models.WorkingWindow.objects.bulk_create(
            models.WorkingWindow(calendar=obj, weekday=day, starts_at=start, ends_at=end) for day, start, end in spans
        )


class EngagementCoverageFactory(DjangoModelFactory):
    class Meta:
        model = models.EngagementCoverage
        django_get_or_create = ("engagement",)

    engagement = factory.SubFactory(EngagementFactory)


class OnCallRotaFactory(DjangoModelFactory):
    class Meta:
        model = models.OnCallRota

    name = factory.Sequence(lambda n: f"Rota {n}")
    time_zone = "Europe/Warsaw"
    handover_time = time(9)


class OnCallShiftFactory(DjangoModelFactory):
    class Meta:
        model = models.OnCallShift

    rota = factory.SubFactory(OnCallRotaFactory)
    person = factory.SubFactory(UserFactory)
    starts_at = factory.LazyFunction(lambda: TUESDAY_10 - timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(days=7))


class ContractTargetFactory(DjangoModelFactory):
    class Meta:
        model = models.ContractTarget

    engagement = factory.SubFactory(EngagementFactory)
    severity = models.Severity.HIGH
    acknowledge_within = timedelta(hours=2)
    resolve_within = timedelta(hours=12)
    valid_from = factory.LazyFunction(lambda: TUESDAY_10.date() - timedelta(days=30))


class RedFlagFactory(FiguresRefreshed, DjangoModelFactory):
    """A bare flag row at the first level with no running timers (use ``raise_flag`` for a timed one)."""

    class Meta:
        model = models.RedFlag

    engagement = factory.SubFactory(EngagementFactory)
    title = factory.Sequence(lambda n: f"Complaint {n}")
    description = "The delivery portal was down all morning."
    category = models.FlagCategory.QUALITY
    severity = models.Severity.HIGH
    raised_by = factory.LazyAttribute(lambda o: o.engagement.pm)
    path = factory.LazyFunction(default_path)
    response_target = timedelta(hours=4)
    resolution_target = timedelta(hours=24)
    sla_month = factory.LazyFunction(lambda: TUESDAY_10.date().replace(day=1))


def raise_flag(engagement, by, *, severity=models.Severity.HIGH, now=None, title="Orders are not arriving", **kw):
    return services.flag_raise(
        engagement=engagement,
        by=by,
        title=title,
        description=kw.pop("description", "Since Monday no order reached the warehouse."),
        category=kw.pop("category", models.FlagCategory.QUALITY),
        severity=severity,
        now=now or TUESDAY_10,
        **kw,
    )
