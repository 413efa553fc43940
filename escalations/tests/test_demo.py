import pytest
from django.core.management import call_command

from escalations.models import BusinessCalendar, Escalation, FlagStatus, OnCallRota, RedFlag

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path / "uploads")}},
    }
    call_command("seed_demo")


def test_seed_demo_makes_flags_at_every_state_one_escalated_twice(seeded):
    statuses = set(RedFlag.objects.values_list("status", flat=True))
    assert set(FlagStatus.values) <= statuses
    twice = RedFlag.objects.get(title__startswith="Loyalty app down")
    assert twice.level == 3 and list(twice.escalations.values_list("level", flat=True)) == [2, 3]
    assert twice.level_acknowledged_at is not None and twice.owner.role == "director"
    agreed = RedFlag.objects.filter(status=FlagStatus.PLAN_AGREED)  # Acme's, and the Polish client's.
    assert agreed.exists() and all(flag.steps.filter(owner_side="client").exists() for flag in agreed)
    assert Escalation.objects.count() >= 2


def test_seed_demo_has_a_calendar_with_polish_holidays_and_a_rota(seeded):
    calendar = BusinessCalendar.objects.get(is_default=True)
    assert calendar.country == "PL"
    assert calendar.holidays.filter(name="National Independence Day").count() >= 1
    rota = OnCallRota.objects.get()
    assert rota.shifts.count() == 8 and rota.backup is not None
