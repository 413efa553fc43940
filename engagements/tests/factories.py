import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import OrganizationFactory, UserFactory
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
