"""Public holidays are no working days: a calendar with a country gets its holidays when it is made, the shipped
calendar from ``migrate`` on, and a daily tick keeps them a year ahead. Seeding only adds days after those already
seeded, so a holiday an admin deleted stays deleted. Every horizon here comes from an injected ``now``."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from escalations import services, tasks
from escalations.models import BusinessCalendar, Holiday
from escalations.services.defaults import escalation_defaults_ensure

from .factories import BusinessCalendarFactory, warsaw

pytestmark = pytest.mark.django_db


def days(calendar) -> set[date]:
    return set(Holiday.objects.filter(calendar=calendar).values_list("date", flat=True))


def test_a_calendar_with_a_country_gets_its_holidays_through_the_end_of_next_year():
    calendar = BusinessCalendarFactory(country="PL")
    added = services.calendar_holidays_keep_ahead(calendar=calendar, now=warsaw(2026, 12, 7, 10))
    listed = days(calendar)
    assert {date(2026, 11, 11), date(2027, 11, 11), date(2027, 12, 25)} <= listed
    assert min(listed).year == 2026 and max(listed) <= date(2027, 12, 31) and added == len(listed)
    calendar.refresh_from_db()
    assert calendar.holidays_seeded_through == date(2027, 12, 31)
    assert services.calendar_holidays_keep_ahead(calendar=calendar, now=warsaw(2026, 12, 7, 10)) == 0


def test_the_year_turns_in_the_calendars_zone():
    calendar = BusinessCalendarFactory(country="PL")
    # 23:30 UTC on New Year's Eve is already 2027 in Warsaw: the holidays reach the end of 2028.
    services.calendar_holidays_keep_ahead(calendar=calendar, now=warsaw(2027, 1, 1, 0, 30))
    assert date(2028, 11, 11) in days(calendar) and date(2026, 11, 11) not in days(calendar)


def test_the_daily_tick_moves_the_horizon_and_keeps_what_an_admin_changed():
    calendar = BusinessCalendarFactory(country="PL")
    services.calendar_holidays_keep_ahead(calendar=calendar, now=warsaw(2026, 12, 7, 10))
    Holiday.objects.filter(calendar=calendar, date=date(2027, 11, 11)).delete()  # the client works that day
    Holiday.objects.filter(calendar=calendar, date=date(2027, 12, 24)).update(name="Company day off")
    services.calendar_holidays_keep_ahead(now=warsaw(2027, 1, 4, 10))
    listed = days(calendar)
    assert date(2028, 11, 11) in listed and date(2027, 11, 11) not in listed
    assert Holiday.objects.get(calendar=calendar, date=date(2027, 12, 24)).name == "Company day off"
    calendar.refresh_from_db()
    assert calendar.holidays_seeded_through == date(2028, 12, 31)


def test_a_calendar_without_a_country_or_with_an_unknown_one_is_left_alone():
    plain = BusinessCalendarFactory()
    unknown = BusinessCalendarFactory(country="XX")
    known = BusinessCalendarFactory(country="DE")
    services.calendar_holidays_keep_ahead(now=warsaw(2026, 12, 7, 10))
    assert not days(plain) and not days(unknown)
    assert date(2027, 10, 3) in days(known)  # German Unity Day


def test_migrate_makes_the_shipped_calendar_with_its_polish_holidays():
    # A fresh database: no default calendar yet. What ``migrate`` runs afterwards (the ensure hook) makes it.
    BusinessCalendar.objects.filter(is_default=True).update(is_default=False, name="Replaced")
    escalation_defaults_ensure(now=warsaw(2026, 12, 7, 10))
    shipped = BusinessCalendar.objects.get(is_default=True)
    assert shipped.country == "PL"
    assert {date(2026, 11, 11), date(2027, 11, 11), date(2027, 5, 3)} <= days(shipped)


def test_after_migrate_the_shipped_calendar_lists_its_holidays_a_year_ahead(shipped_holidays):
    # Seeded with the clock of the run that made the test database: its horizon is whatever that clock said,
    # so only what follows from it is checked.
    shipped = BusinessCalendar.objects.get(is_default=True)
    horizon = shipped.holidays_seeded_through
    assert horizon is not None and (horizon.month, horizon.day) == (12, 31)
    assert {date(horizon.year, 11, 11), date(horizon.year - 1, 11, 11)} <= days(shipped)


def test_the_tick_is_idempotent():
    BusinessCalendarFactory(country="PL")
    tasks.holidays_keep_ahead()
    assert tasks.holidays_keep_ahead() == 0


def test_a_calendar_made_in_the_admin_gets_its_countrys_holidays(client, vendor):
    client.force_login(UserFactory(organization=vendor, vendor_admin=True, is_staff=True, is_superuser=True))
    formsets = {
        f"{prefix}-{field}": value
        for prefix in ("windows", "holidays")
        for field, value in (
            ("TOTAL_FORMS", "0"),
            ("INITIAL_FORMS", "0"),
            ("MIN_NUM_FORMS", "0"),
            ("MAX_NUM_FORMS", "1000"),
        )
    }
    response = client.post(
        reverse("admin:escalations_businesscalendar_add"),
        {
            "name": "Berlin office",
            "time_zone": "Europe/Berlin",
            "country": "DE",
            "created_at_0": "2026-12-07",
            "created_at_1": "10:00:00",
            **formsets,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    calendar = BusinessCalendar.objects.get(name="Berlin office")
    # Seeded with the clock of the request: its horizon is the end of next year, whatever today is.
    horizon = calendar.holidays_seeded_through
    assert (horizon.month, horizon.day) == (12, 31)
    assert {date(horizon.year, 10, 3), date(horizon.year - 1, 10, 3)} <= days(calendar)
