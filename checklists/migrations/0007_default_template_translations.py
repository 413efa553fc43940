"""Checklist templates get a key and a language (0006); this gives the existing ones their key and ships the
default template ("Standard onboarding") in Polish and German too, as frozen data.

Every existing template is English (it was the only language templates had) and gets a key made from its name.
The translations copy the shipped default's structure (``engagements`` 0003, the items closing with a client
decision from ``checklists`` 0004) and are created only where the English default exists and the language has no
such template yet, so an admin's own rows are kept. The earlier layout has no languages: reversing removes every
template not in English (their translations), as it could not tell them from the English ones.
"""

import importlib

from django.db import migrations
from django.utils.text import slugify

DEFAULT_KEY = "standard-onboarding"
CLOSES_WITH = {"Accept the work plan": "work_plan"}

# language: (name, description, [(stage title, [(item title, guidance), ...]), ...]) in the shipped stages' order.
TRANSLATIONS = {
    "pl": (
        "Standardowe wdrożenie",
        "Zakres i zobowiązania, środowiska, dokumentacja, zapewnienie jakości, akceptacja planu prac.",
        [
            (
                "Zakres i zobowiązania",
                [
                    ("Potwierdzenie usług objętych zakresem", "Omówienie zakresu umowy z kluczowym użytkownikiem."),
                    (
                        "Przekazanie zobowiązań obu stron",
                        "Lista tego, do czego zobowiązała się każda ze stron, wraz z terminami.",
                    ),
                    (
                        "Wskazanie kluczowego użytkownika i sponsora po stronie klienta",
                        "Jeden kluczowy użytkownik podejmuje decyzje; jeden sponsor usuwa przeszkody.",
                    ),
                    ("Zatwierdzenie macierzy odpowiedzialności", "Macierz RACI dla wdrożenia."),
                ],
            ),
            (
                "Środowiska",
                [
                    ("Nadanie dostępu do VPN i systemów", "Konta dla zespołu realizującego wdrożenie."),
                    ("Przygotowanie środowiska testowego", "Konfiguracja odwzorowująca środowisko produkcyjne."),
                    ("Potwierdzenie procedury dostępu do produkcji", "Kto zatwierdza zmiany i w jaki sposób."),
                ],
            ),
            (
                "Dokumentacja",
                [
                    (
                        "Przekazanie istniejącej dokumentacji systemu",
                        "Architektura, procedury operacyjne, znane problemy.",
                    ),
                    ("Opracowanie podręcznika eksploatacji", "Jak na co dzień prowadzimy usługę."),
                ],
            ),
            (
                "Zapewnienie jakości",
                [
                    ("Uzgodnienie kryteriów akceptacji", "Co oznacza „gotowe” dla każdego produktu."),
                    ("Przekazanie danych testowych", "Zanonimizowane dane dla środowiska testowego."),
                    ("Przeprowadzenie pierwszego testu end-to-end", "Zapisanie wyników i defektów."),
                ],
            ),
            (
                "Akceptacja planu prac",
                [
                    (
                        "Przedstawienie planu prac",
                        "Kamienie milowe, terminy i osoby odpowiedzialne na następny kwartał.",
                    ),
                    ("Akceptacja planu prac", "Kluczowy użytkownik akceptuje plan w portalu."),
                ],
            ),
        ],
    ),
    "de": (
        "Standard-Onboarding",
        "Umfang und Pflichten, Umgebungen, Dokumentation, Qualitätssicherung, Abnahme des Arbeitsplans.",
        [
            (
                "Umfang und Pflichten",
                [
                    ("Leistungsumfang bestätigen", "Den Vertragsumfang mit dem Key User durchgehen."),
                    ("Pflichten beider Seiten teilen", "Auflisten, wozu sich jede Seite verpflichtet hat, mit Terminen."),
                    (
                        "Key User und Sponsor des Kunden benennen",
                        "Ein Key User entscheidet; ein Sponsor räumt Hindernisse aus dem Weg.",
                    ),
                    ("Verantwortlichkeitsmatrix freigeben", "RACI-Matrix für das Onboarding."),
                ],
            ),
            (
                "Umgebungen",
                [
                    ("VPN- und Systemzugänge einrichten", "Konten für das Umsetzungsteam."),
                    ("Testumgebung aufsetzen", "Die Konfiguration der Produktion nachbilden."),
                    ("Verfahren für den Produktionszugang bestätigen", "Wer Änderungen freigibt, und wie."),
                ],
            ),
            (
                "Dokumentation",
                [
                    (
                        "Vorhandene Systemdokumentation bereitstellen",
                        "Architektur, Betriebsanleitungen, bekannte Probleme.",
                    ),
                    ("Betriebshandbuch schreiben", "Wie wir den Service im Alltag betreiben."),
                ],
            ),
            (
                "Qualitätssicherung",
                [
                    ("Abnahmekriterien vereinbaren", "Was „fertig“ für jeden Liefergegenstand bedeutet."),
                    ("Testdaten bereitstellen", "Anonymisierte Daten für die Testumgebung."),
                    ("Ersten End-to-End-Test durchführen", "Ergebnisse und Fehler festhalten."),
                ],
            ),
            (
                "Abnahme des Arbeitsplans",
                [
                    ("Arbeitsplan vorstellen", "Meilensteine, Termine und Verantwortliche für das nächste Quartal."),
                    ("Arbeitsplan abnehmen", "Der Key User nimmt den Plan im Portal ab."),
                ],
            ),
        ],
    ),
}


def forwards(apps, schema_editor):
    ChecklistTemplate = apps.get_model("checklists", "ChecklistTemplate")
    TemplateStage = apps.get_model("checklists", "TemplateStage")
    TemplateItem = apps.get_model("checklists", "TemplateItem")
    shipped = importlib.import_module("engagements.migrations.0003_default_checklist_template")

    taken = set(ChecklistTemplate.objects.exclude(key="").values_list("key", "language"))
    for template in ChecklistTemplate.objects.filter(key="").order_by("pk"):
        key = DEFAULT_KEY if template.name == shipped.FROZEN_NAME else slugify(template.name)[:50] or "template"
        if (key, template.language) in taken:
            key = f"{key[:40]}-{template.pk}"
        taken.add((key, template.language))
        template.key = key
        template.save(update_fields=["key"])

    english = ChecklistTemplate.objects.filter(key=DEFAULT_KEY, language="en").first()
    if english is None:
        return
    for language, (name, description, stage_texts) in TRANSLATIONS.items():
        if ChecklistTemplate.objects.filter(language=language, key=DEFAULT_KEY).exists():
            continue
        if ChecklistTemplate.objects.filter(language=language, name=name).exists():
            continue
        template = ChecklistTemplate.objects.create(
            key=DEFAULT_KEY,
            language=language,
            name=name,
            description=description,
            is_default=english.is_default
            and not ChecklistTemplate.objects.filter(language=language, is_default=True).exists(),
        )
        stages = zip(shipped.FROZEN_STAGES, stage_texts, strict=True)
        for stage_position, ((_title, acceptance, items), (title, item_texts)) in enumerate(stages, start=1):
            stage = TemplateStage.objects.create(
                template=template, title=title, position=stage_position * 10, client_acceptance_required=acceptance
            )
            for item_position, (item, (item_title, guidance)) in enumerate(zip(items, item_texts, strict=True), 1):
                english_title, _guidance, side, role, offset, evidence = item
                TemplateItem.objects.create(
                    stage=stage,
                    title=item_title,
                    guidance=guidance,
                    owner_side=side,
                    default_assignee_role=role,
                    due_offset_days=offset,
                    evidence_required=evidence,
                    closes_with=CLOSES_WITH.get(english_title, ""),
                    position=item_position * 10,
                )


def backwards(apps, schema_editor):
    # In SQL, leaves first: the historical models' delete cascade fails while the app's state is rolled back.
    translations = "SELECT id FROM checklists_checklisttemplate WHERE language <> 'en'"
    stages = f"SELECT id FROM checklists_templatestage WHERE template_id IN ({translations})"
    schema_editor.execute(f"DELETE FROM checklists_templateitem WHERE stage_id IN ({stages})")
    schema_editor.execute(f"DELETE FROM checklists_templatestage WHERE template_id IN ({translations})")
    schema_editor.execute("DELETE FROM checklists_checklisttemplate WHERE language <> 'en'")


class Migration(migrations.Migration):
    dependencies = [("checklists", "0006_template_key_and_language")]

    operations = [migrations.RunPython(forwards, backwards)]
