"""The default onboarding checklist ("Standard onboarding"): its one definition.

``checklists.services.template_default_ensure`` builds it from here (a flushed database, or an admin who deleted
it, gets it back on the next ``migrate``). The data migration that first shipped it
(``engagements/migrations/0003_default_checklist_template.py``) carries a frozen copy, as migrations must;
``test_the_shipped_default_template_is_the_one_defined_here`` keeps the two the same, so changing the default
here means adding a data migration that changes it in existing databases too.

Each stage: (title, client must accept, [items]); each item: (title, guidance, owner side,
default assignee role, due offset in days from kickoff, evidence required).

It ships in every language the portal offers: ``DEFAULT_STAGES`` is the English template and the structure all
its translations share; ``TRANSLATIONS`` holds the other languages' texts in the same order (the Polish and German
rows came with ``checklists/migrations/0007_default_template_translations.py``, kept equal by the same test).
"""

DEFAULT_TEMPLATE_KEY = "standard-onboarding"
DEFAULT_TEMPLATE_NAME = "Standard onboarding"
# Items that close with a client decision rather than by hand (``ItemCompletion``): title -> how.
CLOSES_WITH = {"Accept the work plan": "work_plan"}
DEFAULT_TEMPLATE_DESCRIPTION = (
    "Scope and obligations, environments, documentation, quality assurance, work-plan acceptance."
)

DEFAULT_STAGES = [
    (
        "Scope and obligations",
        True,
        [
            (
                "Confirm services in scope",
                "Walk through the contract's scope with the key user.",
                "vendor",
                "csm",
                3,
                "none",
            ),
            (
                "Share obligations of both sides",
                "List what each side has committed to, with dates.",
                "vendor",
                "csm",
                5,
                "link",
            ),
            (
                "Name the client's key user and sponsor",
                "One key user decides; one sponsor unblocks.",
                "client",
                "key_user",
                5,
                "none",
            ),
            (
                "Sign off the responsibility matrix",
                "RACI for the onboarding.",
                "client",
                "key_user",
                10,
                "file",
            ),
        ],
    ),
    (
        "Environments",
        False,
        [
            (
                "Grant VPN and system access",
                "Accounts for the delivery team.",
                "client",
                "key_user",
                7,
                "none",
            ),
            (
                "Set up test environment",
                "Mirror production configuration.",
                "vendor",
                "pm",
                14,
                "link",
            ),
            (
                "Confirm production access procedure",
                "Who approves changes, and how.",
                "client",
                "key_user",
                14,
                "none",
            ),
        ],
    ),
    (
        "Documentation",
        False,
        [
            (
                "Provide existing system documentation",
                "Architecture, runbooks, known issues.",
                "client",
                "key_user",
                10,
                "file",
            ),
            (
                "Write the operations handbook",
                "How we run the service day to day.",
                "vendor",
                "pm",
                21,
                "link",
            ),
        ],
    ),
    (
        "Quality assurance",
        False,
        [
            (
                "Agree acceptance criteria",
                "What 'done' means for each deliverable.",
                "vendor",
                "pm",
                14,
                "none",
            ),
            (
                "Provide test data",
                "Anonymised data for the test environment.",
                "client",
                "key_user",
                18,
                "file",
            ),
            (
                "Run the first end-to-end test",
                "Record results and defects.",
                "vendor",
                "pm",
                25,
                "file",
            ),
        ],
    ),
    (
        "Work-plan acceptance",
        True,
        [
            (
                "Present the work plan",
                "Milestones, dates and owners for the next quarter.",
                "vendor",
                "csm",
                25,
                "file",
            ),
            (
                "Accept the work plan",
                "The key user accepts in the portal.",
                "client",
                "key_user",
                30,
                "none",
            ),
        ],
    ),
]

# language: (name, description, [(stage title, [(item title, guidance), ...]), ...]) in ``DEFAULT_STAGES``' order.
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
                    (
                        "Pflichten beider Seiten teilen",
                        "Auflisten, wozu sich jede Seite verpflichtet hat, mit Terminen.",
                    ),
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
