import pytest
from django.core.management import call_command

from governance import demo
from governance.models import GovernancePlan, Meeting, MeetingStatus, MinutesVersion, Outcome

pytestmark = pytest.mark.django_db


def _counts():
    return (Meeting.objects.count(), MinutesVersion.objects.count(), Outcome.objects.count())


def test_seed_demo_makes_a_governance_history_once(settings, tmp_path, cadences):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert GovernancePlan.objects.count() == len(demo.PLANS)
    held = Meeting.objects.filter(status=MeetingStatus.HELD, minutes_version__gt=0)
    assert held.count() >= 3
    assert held.filter(minutes_version=2).exists()  # a correction the client sees as a new version
    missed = Meeting.objects.filter(status=MeetingStatus.MISSED, minutes_late_at__isnull=False)
    # At most one missed per engagement's history (one where enough weekly meetings are past).
    missed_per_engagement = list(missed.values_list("engagement_id", flat=True))
    assert missed_per_engagement and len(missed_per_engagement) == len(set(missed_per_engagement))
    assert Meeting.objects.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=held.first().starts_at).exists()
    open_items = Outcome.objects.open()
    assert open_items.filter(owner_side="client", published_at__isnull=False).exists()
    assert open_items.filter(owner_side="vendor").exists()
    from engagements.models import Promise

    promises = Promise.objects.filter(source__in=["meeting", "conversation"])
    assert promises.filter(broken_at__isnull=False, status="open").count() == len(demo.PLANS)  # one per plan
    assert promises.filter(status="kept", broken_at__isnull=True).exists()
    assert promises.filter(status="open", broken_at__isnull=True).exists()
