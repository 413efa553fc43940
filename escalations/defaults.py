"""The default escalation path and business calendar: their one definition.

``services.defaults.escalation_defaults_ensure`` builds them from here after every ``migrate`` (a flushed database,
or an admin who deleted the default, gets it back). The data migration that first shipped them
(``migrations/0002_default_path_and_calendar.py``) carries a frozen copy, as migrations must;
Polish followed in ``migrations/0003_default_path_polish.py``;
``test_the_shipped_defaults_are_the_ones_defined_here`` keeps them the same, so changing a default here means
adding a data migration that changes it in existing databases too.

Durations are business hours in the engagement's calendar (around the clock for 24/7 engagements).
"""

from datetime import time, timedelta

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
    "pl": (
        "Każda zgłoszona przez Ciebie reklamacja to czerwona flaga. Odpowiadamy na nią w terminach podanych poniżej, "
        "liczonych w godzinach roboczych (całodobowo, jeśli Twoja umowa obejmuje wsparcie 24/7). Jeśli na danym "
        "poziomie nie zostanie potwierdzona lub rozwiązana na czas, automatycznie przechodzi na kolejny poziom, aż do "
        "naszego zarządu. Każdy krok możesz śledzić tutaj, w portalu."
    ),
}
LEVEL_TEXTS = {
    1: {
        "en": "Your project manager (or their deputy) acknowledges the red flag and works on it with you.",
        "de": "Ihr Projektmanager (oder die Vertretung) bestätigt das Red Flag und bearbeitet es mit Ihnen.",
        "pl": ("Twój kierownik projektu (lub jego zastępca) potwierdza czerwoną flagę i pracuje nad nią razem z Tobą."),
    },
    2: {
        "en": "Your customer success manager takes it over and makes sure the right people work on it.",
        "de": "Ihr Customer Success Manager übernimmt es und sorgt dafür, dass die richtigen Personen daran arbeiten.",
        "pl": "Twój opiekun klienta (CSM) przejmuje sprawę i dba o to, by zajęły się nią właściwe osoby.",
    },
    3: {
        "en": "Our delivery director steps in and can bring in more people or change the plan.",
        "de": "Unsere Delivery-Leitung greift ein und kann weitere Personen einsetzen oder den Plan ändern.",
        "pl": "Nasz dyrektor ds. realizacji interweniuje i może zaangażować więcej osób lub zmienić plan.",
    },
    4: {
        "en": "Our executive board (CTO and COO) takes responsibility until it is resolved.",
        "de": "Unsere Geschäftsleitung (CTO und COO) übernimmt die Verantwortung, bis es gelöst ist.",
        "pl": "Nasz zarząd (CTO i COO) przejmuje odpowiedzialność aż do rozwiązania sprawy.",
    },
}

CALENDAR = {"name": "Standard business hours", "time_zone": "Europe/Warsaw", "country": "PL"}
WINDOWS = [(weekday, time(9), time(17)) for weekday in range(5)]
