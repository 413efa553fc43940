import pytest

from engagements.tests.factories import StakeholderFactory

from .factories import default_cadences


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
