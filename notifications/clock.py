"""When a reminder is due on its recipient's clock. Every app's reminders (checklist items, action items) fire at
the same local hour, so the rule lives here, next to the reminders engine that sends them."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

REMIND_HOUR = 9


def at_local_hour(day: date, zone: ZoneInfo, *, hour: int = REMIND_HOUR, before: timedelta = timedelta(0)) -> datetime:
    """``hour``:00 (09:00 unless told) on ``day`` in ``zone``, less ``before`` counted on the local clock, as UTC.

    Wall-clock arithmetic: 48 hours before a Monday 09:00 is Saturday 09:00 even when summer time ends on the
    Sunday between (subtracting in UTC would give 10:00)."""
    wall = datetime.combine(day, time(hour, 0)) - before
    return wall.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))
