from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import OrganizationFactory, UserFactory
from engagements import models
from engagements.models import Engagement, EngagementMember, Phase


class EngagementFactory(DjangoModelFactory):
    class Meta:
        model = Engagement

    client = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Engagement {n}")
    phase = Phase.ONBOARDING
    csm = factory.SubFactory(UserFactory, csm=True)
    pm = factory.SubFactory(UserFactory, pm=True)
    deputy_pm = factory.SubFactory(UserFactory, pm=True)


class EngagementMemberFactory(DjangoModelFactory):
    class Meta:
        model = EngagementMember

    engagement = factory.SubFactory(EngagementFactory)
    user = factory.SubFactory(UserFactory)
    role = "Developer"


class ClientProfileFactory(DjangoModelFactory):
    class Meta:
        model = models.ClientProfile
        django_get_or_create = ("organization",)

    organization = factory.SubFactory(OrganizationFactory)
    industry = "Logistics"
    knowledge_page = "Internal: ERP is SAP, change freeze in December."
    commercial_summary = "Managed service, 24 months."


class BillingRecordFactory(DjangoModelFactory):
    class Meta:
        model = models.BillingRecord

    profile = factory.SubFactory(ClientProfileFactory)
    title = factory.Sequence(lambda n: f"Invoice {n}")
    due_on = factory.LazyFunction(timezone.localdate)
    amount = Decimal("1000.00")


class HandoffFactory(DjangoModelFactory):
    class Meta:
        model = models.Handoff

    engagement = factory.SubFactory(EngagementFactory)
    problem = "Warehouse system outages cost orders."
    success_measures = "99.9% availability."
    political_dynamics = "The CFO doubts the project."
    handed_over_by = factory.SelfAttribute("engagement.csm")
    recorded_by = factory.SelfAttribute("engagement.csm")
    handed_over_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(handed_over_at=None)


class ObligationFactory(DjangoModelFactory):
    class Meta:
        model = models.Obligation

    engagement = factory.SubFactory(EngagementFactory)
    description = "Weekly status report"
    owner = factory.SelfAttribute("engagement.csm")
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))


class StakeholderFactory(DjangoModelFactory):
    class Meta:
        model = models.Stakeholder

    engagement = factory.SubFactory(EngagementFactory)
    name = factory.Faker("name")
    role_title = "Head of IT"

    class Params:
        key_user = factory.Trait(is_key_user=True)
        sponsor = factory.Trait(is_executive_sponsor=True)


class PmAbsenceFactory(DjangoModelFactory):
    class Meta:
        model = models.PmAbsence

    user = factory.SubFactory(UserFactory, pm=True)
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=5))


class IntegrationFactory(DjangoModelFactory):
    class Meta:
        model = models.Integration

    engagement = factory.SubFactory(EngagementFactory)
    provider = "DHL Express API"


class ResourceLinkFactory(DjangoModelFactory):
    class Meta:
        model = models.ResourceLink

    engagement = factory.SubFactory(EngagementFactory)
    kind = models.ResourceLinkKind.BOARD
    title = factory.Sequence(lambda n: f"Board {n}")
    url = factory.Sequence(lambda n: f"https://jira.example.com/board/{n}")


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


class ChecklistStageFactory(DjangoModelFactory):
    class Meta:
        model = models.ChecklistStage

    engagement = factory.SubFactory(EngagementFactory)
    title = factory.Sequence(lambda n: f"Stage {n}")
    position = factory.Sequence(lambda n: n * 10)

    class Params:
        needs_acceptance = factory.Trait(acceptance_required=True)


class ChecklistItemFactory(DjangoModelFactory):
    class Meta:
        model = models.ChecklistItem

    stage = factory.SubFactory(ChecklistStageFactory)
    title = factory.Sequence(lambda n: f"Item {n}")
    position = factory.Sequence(lambda n: n * 10)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))

    class Params:
        overdue = factory.Trait(due_on=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=3)))
        done = factory.Trait(status=models.ItemStatus.DONE, completed_at=factory.LazyFunction(timezone.now))
        client_side = factory.Trait(owner_side=models.Side.CLIENT)


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


class StageAcceptanceFactory(DjangoModelFactory):
    class Meta:
        model = models.StageAcceptance

    engagement = factory.SubFactory(EngagementFactory)
    decision = models.Decision.ACCEPTED
    decided_by = factory.SubFactory(UserFactory, key_user=True)


class SatisfactionScoreFactory(DjangoModelFactory):
    class Meta:
        model = models.SatisfactionScore

    engagement = factory.SubFactory(EngagementFactory)
    reason = models.SatisfactionReason.ACCEPTANCE

    class Params:
        answered = factory.Trait(score=4, answered_at=factory.LazyFunction(timezone.now))


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = models.Milestone

    engagement = factory.SubFactory(EngagementFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))

    class Params:
        early_win = factory.Trait(is_early_win=True)
