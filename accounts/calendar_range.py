"""The span of dates the portal accepts in a form: years 2000 to 2100.

A date far outside it (year 9999, year 1) parses, yet what is derived from it does not exist: a meeting's end an
hour after 31 December 9999, a local midnight of 1 January 0001 in UTC. Refusing such dates where they are typed
gives a message in words instead of an error deep in a service.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


def validate_calendar_range(value):
    """A date or a date and time within the years the portal accepts."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise ValidationError(
            _("Choose a date in the years %(earliest)s to %(latest)s."),
            code="date_out_of_range",
            params={"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )


class CalendarRangeMixin:
    """For forms with date fields: each date and date-time field refuses dates outside the accepted years."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField | forms.DateTimeField) and (
                validate_calendar_range not in field.validators
            ):
                field.validators.append(validate_calendar_range)
