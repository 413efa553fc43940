from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from checklists import models
from engagements.models import Side
from engagements.tests.factories import EngagementFactory, FiguresRefreshed


class ChecklistTemplateFactory(DjangoModelFactory):
    class Meta:
        model = models.ChecklistTemplate

    name = factory.Sequence(lambda n: f"Template {n}")


class TemplateStageFactory(DjangoModelFactory):
    class Meta:
        model = models.TemplateStage

    template = factory.SubFactory(ChecklistTemplateFactory)
    title = factory.Sequence(lambda n: f"Stage {n}")
    position = factory.Sequence(lambda n: n * 10)


class TemplateItemFactory(DjangoModelFactory):
    class Meta:
        model = models.TemplateItem

    stage = factory.SubFactory(TemplateStageFactory)
    title = factory.Sequence(lambda n: f"Template item {n}")
    position = factory.Sequence(lambda n: n * 10)


class ChecklistStageFactory(FiguresRefreshed, DjangoModelFactory):
    class Meta:
        model = models.ChecklistStage

    engagement = factory.SubFactory(EngagementFactory)
    title = factory.Sequence(lambda n: f"Stage {n}")
    position = factory.Sequence(lambda n: n * 10)

    class Params:
        needs_acceptance = factory.Trait(acceptance_required=True)


class ChecklistItemFactory(FiguresRefreshed, DjangoModelFactory):
    class Meta:
        model = models.ChecklistItem

    stage = factory.SubFactory(ChecklistStageFactory)
    title = factory.Sequence(lambda n: f"Item {n}")
    position = factory.Sequence(lambda n: n * 10)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))

    class Params:
        overdue = factory.Trait(due_on=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=3)))
        done = factory.Trait(status=models.ItemStatus.DONE, completed_at=factory.LazyFunction(timezone.now))
        client_side = factory.Trait(owner_side=Side.CLIENT)


class StageActualFactory(DjangoModelFactory):
    class Meta:
        model = models.StageActual

    stage = factory.SubFactory(ChecklistStageFactory)
    spent_on = factory.LazyFunction(timezone.localdate)
    effort_days = Decimal("2.0")
    amount = Decimal("1600.00")
    recorded_by = factory.SelfAttribute("stage.engagement.csm")


class ItemCommentFactory(DjangoModelFactory):
    class Meta:
        model = models.ItemComment

    item = factory.SubFactory(ChecklistItemFactory)
    author = factory.SelfAttribute("item.stage.engagement.csm")
    body = "Looks good."

    class Params:
        internal = factory.Trait(is_internal=True, body="Internal: client is slow to answer.")


class StageAcceptanceFactory(FiguresRefreshed, DjangoModelFactory):
    class Meta:
        model = models.StageAcceptance

    engagement = factory.SubFactory(EngagementFactory)
    decision = models.Decision.ACCEPTED
    decided_by = factory.SubFactory(UserFactory, key_user=True)


class SatisfactionScoreFactory(FiguresRefreshed, DjangoModelFactory):
    class Meta:
        model = models.SatisfactionScore

    engagement = factory.SubFactory(EngagementFactory)
    reason = models.SatisfactionReason.ACCEPTANCE

    class Params:
        answered = factory.Trait(score=4, answered_at=factory.LazyFunction(timezone.now))


class ItemDependencyFactory(DjangoModelFactory):
    class Meta:
        model = models.ItemDependency

    successor = factory.SubFactory(ChecklistItemFactory)
    predecessor = factory.SubFactory(ChecklistItemFactory, stage=factory.SelfAttribute("..successor.stage"))
    engagement = factory.SelfAttribute("successor.stage.engagement")


class TemplateItemDependencyFactory(DjangoModelFactory):
    class Meta:
        model = models.TemplateItemDependency

    successor = factory.SubFactory(TemplateItemFactory)
    predecessor = factory.SubFactory(TemplateItemFactory, stage=factory.SelfAttribute("..successor.stage"))
