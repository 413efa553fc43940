"""The default escalation path's client-facing texts in Polish, as frozen data (``defaults.py`` holds the same).

Added to the shipped path (found by its name) where it has no Polish text yet, so an admin's own rows are kept;
reversing removes nothing an admin may have changed.
"""

from django.db import migrations

PATH_NAME = "Standard escalation path"
INTRO = (
    "Każda zgłoszona przez Ciebie reklamacja to czerwona flaga. Odpowiadamy na nią w terminach podanych poniżej, "
    "liczonych w godzinach roboczych (całodobowo, jeśli Twoja umowa obejmuje wsparcie 24/7). Jeśli na danym "
    "poziomie nie zostanie potwierdzona lub rozwiązana na czas, automatycznie przechodzi na kolejny poziom, aż do "
    "naszego zarządu. Każdy krok możesz śledzić tutaj, w portalu."
)
# level position: text
LEVEL_TEXTS = {
    1: (
        "Twój kierownik projektu (lub jego zastępca) potwierdza czerwoną flagę i pracuje nad nią razem z Tobą."
    ),
    2: "Twój opiekun klienta (CSM) przejmuje sprawę i dba o to, by zajęły się nią właściwe osoby.",
    3: "Nasz dyrektor ds. realizacji interweniuje i może zaangażować więcej osób lub zmienić plan.",
    4: "Nasz zarząd (CTO i COO) przejmuje odpowiedzialność aż do rozwiązania sprawy.",
}


def add_polish_texts(apps, schema_editor):
    EscalationPath = apps.get_model("escalations", "EscalationPath")
    PathText = apps.get_model("escalations", "PathText")
    path = EscalationPath.objects.filter(name=PATH_NAME).first()
    if path is None:
        return
    if not PathText.objects.filter(path=path, level=None, language="pl").exists():
        PathText.objects.create(path=path, level=None, language="pl", text=INTRO)
    for level in path.levels.filter(position__in=LEVEL_TEXTS):
        if not PathText.objects.filter(level=level, language="pl").exists():
            PathText.objects.create(path=path, level=level, language="pl", text=LEVEL_TEXTS[level.position])


class Migration(migrations.Migration):
    dependencies = [("escalations", "0002_default_path_and_calendar")]

    operations = [migrations.RunPython(add_polish_texts, migrations.RunPython.noop)]
