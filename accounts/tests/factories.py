from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Organization, OrganizationKind, Role, StaffAbsence, User

PASSWORD = "correct-horse-battery"


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Client {n}")
    slug = factory.Sequence(lambda n: f"client-{n}")
    kind = OrganizationKind.CLIENT

    class Params:
        vendor = factory.Trait(name="Northwind IT", slug="northwind", kind=OrganizationKind.VENDOR)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    organization = factory.SubFactory(OrganizationFactory, vendor=True)
    role = Role.TEAM_MEMBER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])

    class Params:
        csm = factory.Trait(role=Role.CSM)
        pm = factory.Trait(role=Role.PM)
        director = factory.Trait(role=Role.DIRECTOR)
        executive = factory.Trait(role=Role.EXECUTIVE)
        vendor_admin = factory.Trait(role=Role.VENDOR_ADMIN)
        key_user = factory.Trait(role=Role.CLIENT_KEY_USER, organization=factory.SubFactory(OrganizationFactory))
        client_member = factory.Trait(role=Role.CLIENT_MEMBER, organization=factory.SubFactory(OrganizationFactory))


class StaffAbsenceFactory(DjangoModelFactory):
    class Meta:
        model = StaffAbsence

    user = factory.SubFactory(UserFactory, pm=True)
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=5))
    reason = "holiday"
