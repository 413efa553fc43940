"""The default escalation path and business calendar (``defaults``) exist: built after migrate when missing."""

from datetime import timedelta

from django.db import transaction

from .. import defaults
from ..models import BusinessCalendar, EscalationLevel, EscalationPath, LevelTarget, PathText, WorkingWindow
from .calendars import calendar_holidays_keep_ahead


@transaction.atomic
def escalation_defaults_ensure(*, now=None) -> None:
    """Idempotent: creates the default path (with its levels, deadlines and texts) when no path is the default, and
    the default calendar when no calendar is; never changes existing ones (admins own them). Every calendar with a
    country then has its public holidays a year ahead (``calendar_holidays_keep_ahead``), the shipped one from its
    first ``migrate`` on."""
    if not EscalationPath.objects.filter(is_default=True).exists():
        path, created = EscalationPath.objects.get_or_create(
            name=defaults.PATH["name"], defaults={**defaults.PATH, "is_default": True}
        )
        if created:
            for language, text in defaults.INTRO.items():
                PathText.objects.create(path=path, level=None, language=language, text=text)
            for position, name, responsible, told, targets in defaults.LEVELS:
                level = EscalationLevel.objects.create(
                    path=path, position=position, name=name, responsible=responsible, notify_roles=told
                )
                LevelTarget.objects.bulk_create(
                    LevelTarget(
                        level=level,
                        severity=severity,
                        acknowledge_within=timedelta(seconds=acknowledge * defaults.H),
                        resolve_within=timedelta(seconds=resolve * defaults.H),
                    )
                    for severity, (acknowledge, resolve) in targets.items()
                )
                for language, text in defaults.LEVEL_TEXTS[position].items():
                    PathText.objects.create(path=path, level=level, language=language, text=text)
    if not BusinessCalendar.objects.filter(is_default=True).exists():
        calendar, created = BusinessCalendar.objects.get_or_create(
            name=defaults.CALENDAR["name"], defaults={**defaults.CALENDAR, "is_default": True}
        )
        if created:
            WorkingWindow.objects.bulk_create(
                WorkingWindow(calendar=calendar, weekday=weekday, starts_at=start, ends_at=end)
                for weekday, start, end in defaults.WINDOWS
            )
    calendar_holidays_keep_ahead(now=now)
