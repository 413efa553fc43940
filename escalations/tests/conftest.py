import pytest


@pytest.fixture
def shipped_holidays():
    """Keep the public holidays ``migrate`` seeded into the shipped calendar (see ``_hand_worked_calendar``)."""


@pytest.fixture(autouse=True)
def _hand_worked_calendar(request):
    """The hand-worked deadlines of these tests count the shipped calendar's Mon-Fri 09:00-17:00 without holidays.
    Which holidays ``migrate`` seeded into it depends on the year the test database was made in (the current one
    and the next), so they are removed here, and a result never changes with the date the suite runs on; tests of
    holidays make their own calendar, or ask for ``shipped_holidays``."""
    if request.node.get_closest_marker("django_db") is None or "shipped_holidays" in request.fixturenames:
        return
    from escalations.models import Holiday

    Holiday.objects.filter(calendar__is_default=True).delete()
