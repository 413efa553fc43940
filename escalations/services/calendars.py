"""Business calendars: public holidays seeded for a country with the ``holidays`` library."""

from collections.abc import Iterable

import holidays as holiday_data
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import BusinessCalendar, Holiday


@transaction.atomic
def calendar_seed_holidays(*, calendar: BusinessCalendar, years: Iterable[int], country: str = "") -> int:
    """Add the public holidays of ``country`` (default: the calendar's) for ``years``; days already listed stay as
    they are (an admin may have renamed or removed one). Returns how many were added."""
    country = (country or calendar.country or "").strip().upper()
    years = sorted({int(year) for year in years})
    if not country:
        raise ValidationError(_("Set the calendar's country first."))
    if not years or any(year < 1900 or year > 2200 for year in years):
        raise ValidationError(_("Choose years between 1900 and 2200."))
    try:
        days = holiday_data.country_holidays(country, years=years, language="en_US")
    except NotImplementedError:
        raise ValidationError(
            _("No public holidays are known for the country %(country)s.") % {"country": country}
        ) from None
    existing = set(Holiday.objects.filter(calendar=calendar, date__year__in=years).values_list("date", flat=True))
    new = [
        Holiday(calendar=calendar, date=day, name=str(name)[:120])
        for day, name in sorted(days.items())
        if day not in existing
    ]
    Holiday.objects.bulk_create(new, ignore_conflicts=True)
    if not calendar.country:
        calendar.country = country
        calendar.save(update_fields=["country"])
    return len(new)
