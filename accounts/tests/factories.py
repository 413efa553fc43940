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


def enrol_totp(user) -> str:
    """Give ``user`` an authenticator app (and recovery codes) as the enrolment page does; returns its secret."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def totp_code(secret: str, *, step: int = 0) -> str:
    """The code an authenticator app shows now for ``secret`` (``step``: the one of the next or previous period,
    which the check still accepts: a code once used is refused again in its period)."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD + step))
