"""Business calendars: public holidays seeded for a country with the ``holidays`` library, and kept a year ahead.

A calendar with a country gets that country's holidays when it is created, from the 1st of January of the current
year (in its zone) through the end of the next; a daily tick keeps the list reaching at least a year ahead. Each
calendar remembers how far its holidays were seeded (``holidays_seeded_through``) and seeding only adds days after
that, so a holiday an admin deleted stays deleted and a renamed one keeps its name. Changing the country seeds
afresh (the days listed stay); the admin action "Add public holidays" adds a year's holidays back on purpose."""

import logging
from collections.abc import Iterable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import holidays as holiday_data
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import BusinessCalendar, Holiday

logger = logging.getLogger(__name__)


def _country_days(country: str, years: Iterable[int]) -> dict:
    try:
        return holiday_data.country_holidays(country, years=sorted(years), language="en_US")
    except NotImplementedError:
        raise ValidationError(
            _("No public holidays are known for the country %(country)s.") % {"country": country}
        ) from None


def _add(calendar: BusinessCalendar, days, *, start: date, through: date) -> int:
    listed = set(Holiday.objects.filter(calendar=calendar, date__range=(start, through)).values_list("date", flat=True))
    new = [
        Holiday(calendar=calendar, date=day, name=str(name)[:120])
        for day, name in sorted(days.items())
        if start <= day <= through and day not in listed
    ]
    # A day already listed (perhaps renamed) stays as it is; the unique (calendar, date) settles a race.
    Holiday.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def calendar_seed_holidays(*, calendar: BusinessCalendar, years: Iterable[int], country: str = "") -> int:
    """Add the public holidays of ``country`` (default: the calendar's) for ``years``; days already listed stay as
    they are (an admin may have renamed one). Returns how many were added."""
    country = (country or calendar.country or "").strip().upper()
    years = sorted({int(year) for year in years})
    if not country:
        raise ValidationError(_("Set the calendar's country first."))
    if not years or any(year < 1900 or year > 2200 for year in years):
        raise ValidationError(_("Choose years between 1900 and 2200."))
    days = {day: name for day, name in _country_days(country, years).items() if day.year in years}
    added = _add(calendar, days, start=date(years[0], 1, 1), through=date(years[-1], 12, 31))
    fields = []
    if not calendar.country:
        calendar.country, fields = country, ["country"]
    if country == calendar.country and (
        calendar.holidays_seeded_through is None or calendar.holidays_seeded_through < date(years[-1], 12, 31)
    ):
        calendar.holidays_seeded_through = date(years[-1], 12, 31)
        fields.append("holidays_seeded_through")
    if fields:
        calendar.save(update_fields=fields)
    return added


def holidays_horizon(calendar: BusinessCalendar, *, now) -> tuple[date, date]:
    """The first day to seed when nothing is seeded yet, and the day the holidays must reach: the 1st of January of
    the current year and the 31st of December of the next, in the calendar's zone (so always a year ahead)."""
    today = now.astimezone(ZoneInfo(calendar.time_zone)).date()
    return date(today.year, 1, 1), date(today.year + 1, 12, 31)


@transaction.atomic
def calendar_holidays_keep_ahead(*, calendar: BusinessCalendar | None = None, now=None) -> int:
    """Seed the country's holidays of every calendar with a country (or of ``calendar``) for the days after those
    already seeded, up to ``holidays_horizon``; idempotent (a second run the same day adds nothing). A country the
    library does not know is logged and skipped, so one calendar cannot stop the others. Returns the days added."""
    now = now or timezone.now()
    calendars = BusinessCalendar.objects.exclude(country="").select_for_update(of=("self",)).order_by("pk")
    if calendar is not None:
        calendars = calendars.filter(pk=calendar.pk)
    added = 0
    for each in calendars:
        first, through = holidays_horizon(each, now=now)
        start = each.holidays_seeded_through + timedelta(days=1) if each.holidays_seeded_through else first
        if start > through:
            continue
        try:
            days = _country_days(each.country.upper(), range(start.year, through.year + 1))
        except ValidationError:
            logger.warning("Calendar %s: no public holidays are known for the country %r.", each.pk, each.country)
            continue
        added += _add(each, days, start=start, through=through)
        each.holidays_seeded_through = through
        each.save(update_fields=["holidays_seeded_through"])
    return added
