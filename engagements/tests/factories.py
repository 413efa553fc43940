from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import OrganizationFactory, UserFactory
from engagements import models
from engagements.models import Engagement, EngagementMember, Phase


class FiguresRefreshed:
    """A factory mixin: rows made here bypass the services, so the engagement's maintained figures are refreshed
    as a service would (``engagements.figures``), in the same transaction."""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from engagements.figures import figures_refresh

        obj = super()._create(model_class, *args, **kwargs)
        engagement_id = getattr(obj, "engagement_id", None)
        if engagement_id is None and hasattr(obj, "stage"):
            engagement_id = obj.stage.engagement_id
        figures_refresh([engagement_id])
        return obj


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


class PromiseFactory(FiguresRefreshed, DjangoModelFactory):
    class Meta:
        model = models.Promise

    engagement = factory.SubFactory(EngagementFactory)
    description = "Weekly status report"
    owner = factory.SelfAttribute("engagement.csm")
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))

    class Params:
        overdue = factory.Trait(due_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=2)))
        client_side = factory.Trait(
            side=models.Side.CLIENT,
            owner=factory.SubFactory(
                UserFactory, client_member=True, organization=factory.SelfAttribute("..engagement.client")
            ),
        )


class StakeholderFactory(DjangoModelFactory):
    class Meta:
        model = models.Stakeholder

    engagement = factory.SubFactory(EngagementFactory)
    name = factory.Faker("name")
    role_title = "Head of IT"

    class Params:
        key_user = factory.Trait(is_key_user=True)
        sponsor = factory.Trait(is_executive_sponsor=True)


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
    client_visible = True

    class Params:
        internal = factory.Trait(kind=models.ResourceLinkKind.REPOSITORY, title="Team repository", client_visible=False)


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = models.Milestone

    engagement = factory.SubFactory(EngagementFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))

    class Params:
        early_win = factory.Trait(is_early_win=True)
