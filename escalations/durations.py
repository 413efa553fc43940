"""Business-time durations as people say them ("4 business hours", "2 working days", "1 working day 4 business
hours"), for the admin's escalation targets. Stored as a ``timedelta`` of business time (``business_time``: the real
time that passes inside the calendar's working windows, or plain time for a 24/7 engagement). A working day counts
``WORKING_DAY`` of it, the default calendar's 09:00-17:00."""

import re
from datetime import timedelta

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

WORKING_DAY = timedelta(hours=8)

_UNITS = {
    "working day": WORKING_DAY,
    "working days": WORKING_DAY,
    "day": WORKING_DAY,
    "days": WORKING_DAY,
    "d": WORKING_DAY,
    "business hour": timedelta(hours=1),
    "business hours": timedelta(hours=1),
    "hour": timedelta(hours=1),
    "hours": timedelta(hours=1),
    "h": timedelta(hours=1),
    "minute": timedelta(minutes=1),
    "minutes": timedelta(minutes=1),
    "min": timedelta(minutes=1),
    "m": timedelta(minutes=1),
}
_PART = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(working days?|business hours?|days?|hours?|minutes?|min|d|h|m)(?![a-z])", re.IGNORECASE
)
_CLOCK = re.compile(r"^(\d+):([0-5]\d)(?::([0-5]\d))?$")


def parse_duration(text: str) -> timedelta | None:
    """ "4 business hours", "2 working days", "1 day 4 hours", "90 min", "2h30m" or "4:30"; ``None`` when it reads
    as none of them."""
    text = (text or "").strip().lower()
    if not text:
        return None
    clock = _CLOCK.match(text)
    if clock:
        return timedelta(hours=int(clock[1]), minutes=int(clock[2]), seconds=int(clock[3] or 0))
    total, end = timedelta(0), 0
    for match in _PART.finditer(text):
        if text[end : match.start()].strip(" ,and"):
            return None
        total += _UNITS[match[2].lower()] * float(match[1].replace(",", "."))
        end = match.end()
    if end == 0 or text[end:].strip():
        return None
    return total


def format_duration(value: timedelta | None) -> str:
    """The duration as people say it: whole working days, then business hours and minutes."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    day = int(WORKING_DAY.total_seconds() // 60)
    days, minutes = divmod(minutes, day)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d working day", "%(n)d working days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d business hour", "%(n)d business hours", hours) % {"n": hours})
    if minutes or not parts:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return " ".join(parts)


class BusinessDurationField(forms.Field):
    """A business-time duration typed and shown as people say it."""

    widget = forms.TextInput
    default_error_messages = {
        "invalid": _(
            "Write the time as people say it: “4 business hours”, “2 working days”, “1 working day 4 business "
            "hours” or “90 minutes”."
        ),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "help_text",
            _(
                "Business time in the engagement's calendar (plain time for a 24/7 engagement); "
                "a working day is 8 hours."
            ),
        )
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        # In the words the field reads back (English), whatever the admin's language, so saving again keeps it.
        if isinstance(value, timedelta):
            with translation.override("en"):
                return format_duration(value)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, timedelta):
            return value
        parsed = parse_duration(str(value))
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed
