"""The default cadences and their agendas in Polish, as frozen data: one more row per cadence key (see 0002).

Rows are created only where (key, "pl") does not exist, so an admin's own Polish rows are kept; reversing removes
nothing an admin may have changed.
"""

import importlib

from django.db import migrations

# key: (name, purpose, [(section title, guidance)]) — sections in 0002's order (``live_sources``).
TEXTS = {
    "weekly-status": {
        "pl": (
            "Cotygodniowe spotkanie statusowe",
            "Krótkie spotkanie organizacyjne z kierownikiem projektu: postęp, terminy, blokady i kto co robi "
            "dalej. To nie jest sesja techniczna: pytania techniczne omawiamy na osobnym spotkaniu.",
            [
                ("Postęp od ostatniego spotkania", "Co zostało zakończone i co ruszyło, w kilku zdaniach."),
                (
                    "Otwarte zadania do wykonania",
                    "Każde zadanie z wcześniejszych spotkań: wykonane albo nowy termin i osoba odpowiedzialna.",
                ),
                (
                    "Zaległe punkty listy kontrolnej",
                    "Zaległe punkty obu stron: uzgodnijcie nowy termin albo usuńcie przeszkodę.",
                ),
                ("Czeka na akceptację klienta", "Etapy gotowe do decyzji kluczowego użytkownika."),
                (
                    "Zobowiązania na termin lub niedotrzymane",
                    "Co obiecaliśmy: dotrzymane, z bliskim terminem albo niedotrzymane i co robimy teraz.",
                ),
                ("Kolejne kroki", "Kto co zrobi przed następnym spotkaniem."),
            ],
        ),
    },
    "steering": {
        "pl": (
            "Komitet sterujący",
            "Co dwa tygodnie z kierownikiem projektu i dyrektorem działu klienta: plan, problemy, potrzebne "
            "decyzje i zadania do wykonania.",
            [
                ("Plan i kamienie milowe", "Na jakim etapie jest plan; etapy czekające na akceptację."),
                ("Problemy i ryzyka", "Otwarte czerwone flagi i co robimy w każdej sprawie."),
                ("Zobowiązania", "Obietnice z terminem lub niedotrzymane od ostatniego spotkania."),
                ("Zadania z ostatniego spotkania", "Wykonane albo nowy termin i osoba odpowiedzialna."),
                ("Potrzebne decyzje", "Co trzeba dziś zdecydować i kto decyduje."),
            ],
        ),
    },
    "executive-review-6w": {
        "pl": (
            "Przegląd zarządczy (co 6 tygodni)",
            "Członkowie zarządów obu stron (CTO i COO) oceniają współpracę: dostarczoną wartość, ryzyka, "
            "zobowiązania i kierunek na kolejny okres.",
            [
                ("Dostarczona wartość", "Wyniki od ostatniego przeglądu, w kategoriach klienta."),
                ("Eskalacje i ryzyka", "Zgłoszone czerwone flagi i sposób ich obsługi."),
                ("Dotrzymane i niedotrzymane zobowiązania", "Na ile rzetelnie każda strona dotrzymała słowa."),
                ("Kierunek na kolejny okres", "Priorytety i decyzje na najbliższe tygodnie."),
            ],
        ),
    },
    "executive-review-yearly": {
        "pl": (
            "Przegląd zarządczy (roczny)",
            "Raz w roku członkowie zarządów obu stron (CTO i COO) oceniają współpracę: dostarczoną wartość, ryzyka, "
            "zobowiązania i kierunek na nadchodzący rok.",
            [
                ("Dostarczona wartość", "Wyniki roku, w kategoriach klienta."),
                ("Eskalacje i ryzyka", "Zgłoszone czerwone flagi i sposób ich obsługi."),
                ("Dotrzymane i niedotrzymane zobowiązania", "Na ile rzetelnie każda strona dotrzymała słowa."),
                ("Kierunek na nadchodzący rok", "Priorytety, umowa i decyzje na kolejny rok."),
            ],
        ),
    },
    "handoff": {
        "pl": (
            "Wewnętrzne spotkanie przekazania",
            "Dział sprzedaży przekazuje klienta zespołowi realizacji: wszystko, czego dowiedział się w trakcie "
            "sprzedaży, zanim ktokolwiek spotka się z klientem. Tylko wewnętrzne.",
            [
                ("Problem klienta i jak mierzy on sukces", "Własnymi słowami klienta."),
                ("Interesariusze i na czym zależy każdemu z nich", "Kto decyduje, kto korzysta, kto może się opierać."),
                ("Zobowiązania podjęte w trakcie sprzedaży", "Każde z osobą odpowiedzialną i terminem."),
                (
                    "Obawy, ryzyka i drażliwe kwestie",
                    "Zgłoszone zastrzeżenia, polityka, wszystko, co zespół realizacji musi wiedzieć.",
                ),
                ("Pytania do działu sprzedaży", "Czego zespół realizacji jeszcze potrzebuje się dowiedzieć."),
            ],
        ),
    },
    "kickoff": {
        "pl": (
            "Spotkanie otwierające",
            "Start współpracy z klientem: co dzieje się dalej, kto za co odpowiada i jak obie strony będą "
            "współpracować.",
            [
                ("Przedstawienie się", "Kto jest kim po obu stronach i jaka jest rola każdej osoby."),
                ("Cele i sposób mierzenia sukcesu", "Co klient chce osiągnąć i po czym to poznamy."),
                ("Co dzieje się dalej", "Plan, jego etapy i pierwsze kamienie milowe."),
                (
                    "Kto za co odpowiada",
                    "Obowiązki obu stron, kluczowy użytkownik i zastępcy.",
                ),
                ("Jak będziemy współpracować", "Rytm spotkań, kanały komunikacji i sposób eskalowania problemów."),
                ("Pytania i kolejne kroki", "Otwarte pytania i pierwsze zadania do wykonania."),
            ],
        ),
    },
}


def create_polish_cadences(apps, schema_editor):
    defaults = importlib.import_module("governance.migrations.0002_default_cadences")
    defaults.create_default_cadences(apps, schema_editor, texts=TEXTS)


class Migration(migrations.Migration):
    dependencies = [("governance", "0003_cadence_language_polish")]

    operations = [migrations.RunPython(create_polish_cadences, migrations.RunPython.noop)]
