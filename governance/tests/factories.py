from datetime import UTC, datetime, time, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from engagements.models import Side
from engagements.tests.factories import EngagementFactory, FiguresRefreshed
from governance import models

# A Monday morning in Berlin, before summer time starts (29 Mar 2026): the scenarios' clock.
MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def default_cadences():
    """The cadences migration 0002 ships, made again (a transactional test's flush removes migration data).
    The migration's own function, so the data exists in one place."""
    import importlib

    from django.apps import apps

    importlib.import_module("governance.migrations.0002_default_cadences").create_default_cadences(apps, None)
    return models.CadenceTemplate.objects.all()


class CadenceTemplateFactory(DjangoModelFactory):
    class Meta:
        model = models.CadenceTemplate

    key = factory.Sequence(lambda n: f"cadence-{n}")
    language = "en"
    name = factory.Sequence(lambda n: f"Cadence {n}")
    vendor_audience = ["pm"]
    client_audience = ["key_user"]


class AgendaSectionTemplateFactory(DjangoModelFactory):
    class Meta:
        model = models.AgendaSectionTemplate

    cadence = factory.SubFactory(CadenceTemplateFactory)
    title = factory.Sequence(lambda n: f"Section {n}")
    position = factory.Sequence(lambda n: n * 10)


class MeetingSeriesFactory(DjangoModelFactory):
    class Meta:
        model = models.MeetingSeries

    engagement = factory.SubFactory(EngagementFactory)
    name = "Weekly status meeting"
    frequency = models.Frequency.WEEKLY
    weekday = 1
    starts_on = factory.LazyFunction(timezone.localdate)
    start_time = time(10, 0)
    duration_minutes = 30
    time_zone = "Europe/Berlin"
    owner = factory.SelfAttribute("engagement.pm")


class SeriesParticipantFactory(DjangoModelFactory):
    class Meta:
        model = models.SeriesParticipant

    series = factory.SubFactory(MeetingSeriesFactory)
    side = Side.VENDOR
    name = factory.LazyAttribute(lambda o: str(o.user) if o.user else "Guest")
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "")


class MeetingFactory(FiguresRefreshed, DjangoModelFactory):
    class Meta:
        model = models.Meeting

    series = factory.SubFactory(MeetingSeriesFactory)
    engagement = factory.SelfAttribute("series.engagement")
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=1))
    original_start = factory.SelfAttribute("starts_at")
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=30))
    title = factory.SelfAttribute("series.name")
    owner = factory.SelfAttribute("series.owner")
    is_internal = factory.SelfAttribute("series.is_internal")

    class Params:
        past = factory.Trait(
            starts_at=factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) - timedelta(days=1))
        )


class AgendaItemFactory(DjangoModelFactory):
    class Meta:
        model = models.AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"Agenda item {n}")
    position = factory.Sequence(lambda n: n * 10)


class OutcomeFactory(DjangoModelFactory):
    class Meta:
        model = models.Outcome

    agenda_item = factory.SubFactory(AgendaItemFactory)
    meeting = factory.SelfAttribute("agenda_item.meeting")
    engagement = factory.SelfAttribute("meeting.engagement")
    kind = models.OutcomeKind.DECISION
    text = factory.Sequence(lambda n: f"Outcome {n}")
    created_by = factory.SelfAttribute("meeting.owner")

    class Params:
        action = factory.Trait(
            kind=models.OutcomeKind.ACTION,
            owner_side=Side.VENDOR,
            status=models.ActionStatus.OPEN,
            due_on=factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7)),
        )
        client_action = factory.Trait(
            kind=models.OutcomeKind.ACTION,
            owner_side=Side.CLIENT,
            status=models.ActionStatus.OPEN,
            due_on=factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7)),
        )
        shared = factory.Trait(published_at=factory.LazyFunction(timezone.now))


class CalendarFeedFactory(DjangoModelFactory):
    class Meta:
        model = models.CalendarFeed

    owner = factory.SelfAttribute("engagement.pm")
    engagement = factory.SubFactory(EngagementFactory)
