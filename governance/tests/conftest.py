import pytest

from engagements.tests.factories import StakeholderFactory

from .factories import MONDAY, default_cadences


@pytest.fixture
def cadences(db):
    return default_cadences()


@pytest.fixture
def mapped_engagement(engagement, client_key_user):
    """The fixture engagement with a stakeholder map: the key user (with their portal account), a department
    director (high influence) and an executive sponsor."""
    StakeholderFactory(
        engagement=engagement, key_user=True, user=client_key_user, name="Kasia Key", email="kasia@acme.example"
    )
    StakeholderFactory(engagement=engagement, name="Dirk Director", email="dirk@acme.example", influence="high")
    StakeholderFactory(engagement=engagement, sponsor=True, name="Sofia Sponsor", email="sofia@acme.example")
    return engagement


@pytest.fixture
def weekly(cadences, mapped_engagement, pm):
    """The weekly status meeting applied on ``MONDAY`` (Tuesdays 10:00 Berlin): its meetings, in order."""
    from governance.models import Meeting
    from governance.services import plan

    plan.plan_apply(
        by=pm,
        engagement=mapped_engagement,
        cadence_keys=["weekly-status"],
        time_zone="Europe/Berlin",
        language="en",
        starts_on=MONDAY.date(),
        now=MONDAY,
    )
    return list(Meeting.objects.filter(series__cadence_key="weekly-status").order_by("starts_at"))
