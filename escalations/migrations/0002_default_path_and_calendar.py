"""The default escalation path (project manager, customer success, delivery director, executives) with its
deadlines and client-facing texts in English and German, and a default business calendar.

Frozen data: this migration never imports the app's code, so it means the same thing forever. Admins change the
path and the calendar in Django admin afterwards; running the migration again changes nothing that exists.
"""

from datetime import time, timedelta

from django.db import migrations

H = 3600

PATH = {
    "name": "Standard escalation path",
    "breach_warning_percent": 80,
    "renotify_every": timedelta(hours=1),
    "renotify_max": 3,
    "update_every_critical": timedelta(hours=4),
    "update_every_high": timedelta(hours=8),
    "update_every_normal": timedelta(hours=24),
    "auto_close_days": 5,
}

# position, name, responsible, told on entry, {severity: (acknowledge within, resolve within) in hours}
LEVELS = [
    (1, "Project level", "pm", [], {"critical": (1, 8), "high": (4, 24), "normal": (8, 40)}),
    (2, "Customer success", "csm", ["pm"], {"critical": (1, 8), "high": (4, 16), "normal": (8, 24)}),
    (3, "Delivery director", "director", ["pm", "csm"], {"critical": (1, 8), "high": (2, 16), "normal": (8, 24)}),
    (4, "Executive board", "executive", ["csm", "director"], {"critical": (1, 8), "high": (2, 8), "normal": (4, 16)}),
]

INTRO = {
    "en": (
        "Every complaint you raise is a red flag. We answer it within the deadlines below, counted in business "
        "hours (around the clock if your contract includes 24/7 support). If it is not acknowledged or resolved in "
        "time at one level, it moves up to the next automatically, up to our executive board. You can follow every "
        "step here in the portal."
    ),
    "de": (
        "Jede Beschwerde, die Sie melden, ist ein Red Flag. Wir beantworten sie innerhalb der unten genannten "
        "Fristen, gezählt in Geschäftszeiten (rund um die Uhr, wenn Ihr Vertrag 24/7-Support umfasst). Wird sie auf "
        "einer Stufe nicht rechtzeitig bestätigt oder gelöst, geht sie automatisch an die nächste Stufe, bis hin zu "
        "unserer Geschäftsleitung. Jeden Schritt können Sie hier im Portal verfolgen."
    ),
}
LEVEL_TEXTS = {
    1: {
        "en": "Your project manager (or their deputy) acknowledges the red flag and works on it with you.",
        "de": "Ihr Projektmanager (oder die Vertretung) bestätigt das Red Flag und bearbeitet es mit Ihnen.",
    },
    2: {
        "en": "Your customer success manager takes it over and makes sure the right people work on it.",
        "de": "Ihr Customer Success Manager übernimmt es und sorgt dafür, dass die richtigen Personen daran arbeiten.",
    },
    3: {
        "en": "Our delivery director steps in and can bring in more people or change the plan.",
        "de": "Unsere Delivery-Leitung greift ein und kann weitere Personen einsetzen oder den Plan ändern.",
    },
    4: {
        "en": "Our executive board (CTO and COO) takes responsibility until it is resolved.",
        "de": "Unsere Geschäftsleitung (CTO und COO) übernimmt die Verantwortung, bis es gelöst ist.",
    },
}

CALENDAR = {"name": "Standard business hours", "time_zone": "Europe/Warsaw", "country": "PL"}
WINDOWS = [(weekday, time(9), time(17)) for weekday in range(5)]


def create_defaults(apps, schema_editor):
    EscalationPath = apps.get_model("escalations", "EscalationPath")
    EscalationLevel = apps.get_model("escalations", "EscalationLevel")
    LevelTarget = apps.get_model("escalations", "LevelTarget")
    PathText = apps.get_model("escalations", "PathText")
    BusinessCalendar = apps.get_model("escalations", "BusinessCalendar")
    WorkingWindow = apps.get_model("escalations", "WorkingWindow")

    if not EscalationPath.objects.filter(is_default=True).exists():
        path, _created = EscalationPath.objects.get_or_create(
            name=PATH["name"], defaults={**PATH, "is_default": True}
        )
        if not path.levels.exists():
            for language, text in INTRO.items():
                PathText.objects.create(path=path, level=None, language=language, text=text)
            for position, name, responsible, told, targets in LEVELS:
                level = EscalationLevel.objects.create(
                    path=path, position=position, name=name, responsible=responsible, notify_roles=told
                )
                for severity, (acknowledge, resolve) in targets.items():
                    LevelTarget.objects.create(
                        level=level,
                        severity=severity,
                        acknowledge_within=timedelta(seconds=acknowledge * H),
                        resolve_within=timedelta(seconds=resolve * H),
                    )
                for language, text in LEVEL_TEXTS[position].items():
                    PathText.objects.create(path=path, level=level, language=language, text=text)

    if not BusinessCalendar.objects.filter(is_default=True).exists():
        calendar, created = BusinessCalendar.objects.get_or_create(
            name=CALENDAR["name"], defaults={**CALENDAR, "is_default": True}
        )
        if created:
            WorkingWindow.objects.bulk_create(
                WorkingWindow(calendar=calendar, weekday=weekday, starts_at=start, ends_at=end)
                for weekday, start, end in WINDOWS
            )


class Migration(migrations.Migration):
    dependencies = [("escalations", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
