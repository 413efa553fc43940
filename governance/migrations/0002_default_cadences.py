"""The default cadences, in every language the portal offers (English and German), as frozen data.

Each cadence is one row per language sharing its ``key``; adding a language later is a data migration like this
one (or rows added in the admin), never code. Rows are created only where (key, language) does not exist, so an
admin's edits are kept, and reversing removes nothing an admin may have changed.
"""

import datetime

from django.db import migrations

SECTIONS = "sections"

# key: structure shared by the translations
CADENCES = {
    "weekly-status": {
        "kind": "recurring",
        "frequency": "weekly",
        "interval": 1,
        "weekday": 1,
        "week_of_month": None,
        "start_time": datetime.time(10, 0),
        "duration_minutes": 30,
        "vendor_audience": ["pm", "deputy_pm"],
        "client_audience": ["key_user"],
        "is_internal": False,
        "alternative_group": "",
        "in_default_plan": True,
        "remind_before_minutes": 120,
        "agenda_lead_hours": 24,
        "invite_lead_days": 28,
        "position": 10,
        "live_sources": ["", "carried_over", "overdue_items", "awaiting_acceptance", "commitments", ""],
    },
    "steering": {
        "kind": "recurring",
        "frequency": "weekly",
        "interval": 2,
        "weekday": 3,
        "week_of_month": None,
        "start_time": datetime.time(14, 0),
        "duration_minutes": 60,
        "vendor_audience": ["pm", "csm"],
        "client_audience": ["key_user", "decision_makers"],
        "is_internal": False,
        "alternative_group": "",
        "in_default_plan": True,
        "remind_before_minutes": 24 * 60,
        "agenda_lead_hours": 48,
        "invite_lead_days": 28,
        "position": 20,
        "live_sources": ["awaiting_acceptance", "red_flags", "commitments", "carried_over", ""],
    },
    "executive-review-6w": {
        "kind": "recurring",
        "frequency": "weekly",
        "interval": 6,
        "weekday": 2,
        "week_of_month": None,
        "start_time": datetime.time(15, 0),
        "duration_minutes": 60,
        "vendor_audience": ["csm", "director", "executive"],
        "client_audience": ["executive_sponsor", "decision_makers"],
        "is_internal": False,
        "alternative_group": "executive-review",
        "in_default_plan": True,
        "remind_before_minutes": 24 * 60,
        "agenda_lead_hours": 72,
        "invite_lead_days": 42,
        "position": 30,
        "live_sources": ["", "red_flags", "commitments", ""],
    },
    "executive-review-yearly": {
        "kind": "recurring",
        "frequency": "yearly",
        "interval": 1,
        "weekday": 2,
        "week_of_month": 2,
        "start_time": datetime.time(15, 0),
        "duration_minutes": 90,
        "vendor_audience": ["csm", "director", "executive"],
        "client_audience": ["executive_sponsor", "decision_makers"],
        "is_internal": False,
        "alternative_group": "executive-review",
        "in_default_plan": False,
        "remind_before_minutes": 24 * 60,
        "agenda_lead_hours": 7 * 24,
        "invite_lead_days": 60,
        "position": 31,
        "live_sources": ["", "red_flags", "commitments", ""],
    },
    "handoff": {
        "kind": "handoff",
        "frequency": "once",
        "interval": 1,
        "weekday": 0,
        "week_of_month": None,
        "start_time": datetime.time(10, 0),
        "duration_minutes": 60,
        "vendor_audience": ["csm", "pm", "deputy_pm", "account_executive"],
        "client_audience": [],
        "is_internal": True,
        "alternative_group": "",
        "in_default_plan": True,
        "remind_before_minutes": 24 * 60,
        "agenda_lead_hours": 48,
        "invite_lead_days": 14,
        "position": 1,
        "live_sources": ["", "", "commitments", "", ""],
    },
    "kickoff": {
        "kind": "kickoff",
        "frequency": "once",
        "interval": 1,
        "weekday": 0,
        "week_of_month": None,
        "start_time": datetime.time(10, 0),
        "duration_minutes": 90,
        "vendor_audience": ["csm", "pm", "deputy_pm", "account_executive"],
        "client_audience": ["key_user", "executive_sponsor", "stakeholders"],
        "is_internal": False,
        "alternative_group": "",
        "in_default_plan": True,
        "remind_before_minutes": 24 * 60,
        "agenda_lead_hours": 72,
        "invite_lead_days": 21,
        "position": 2,
        "live_sources": ["", "", "", "", "", ""],
    },
}

# key: language: (name, purpose, [(section title, guidance)]) — sections in the order of ``live_sources``.
TEXTS = {
    "weekly-status": {
        "en": (
            "Weekly status meeting",
            "A short administrative check-in with the project manager: progress, what is due, what is blocked and "
            "who does what next. Not a technical session: technical questions get their own meeting.",
            [
                ("Progress since the last meeting", "What was completed and what moved, in a few sentences."),
                ("Open action items", "Each action item from earlier meetings: done, or a new date and owner."),
                ("Overdue checklist items", "Both sides' overdue items: agree a new date or remove the blocker."),
                ("Waiting for the client's acceptance", "Stages ready for the key user's decision."),
                ("Commitments due or broken", "What we promised: kept, due soon, or broken and what we do now."),
                ("Next steps", "Who does what before the next meeting."),
            ],
        ),
        "de": (
            "Wöchentliche Statusbesprechung",
            "Eine kurze organisatorische Abstimmung mit der Projektleitung: Fortschritt, Fälliges, Blockaden und "
            "wer als Nächstes was tut. Keine technische Besprechung: technische Fragen bekommen einen eigenen "
            "Termin.",
            [
                ("Fortschritt seit der letzten Besprechung", "Was erledigt wurde und was sich bewegt hat, in wenigen Sätzen."),
                ("Offene Aufgaben", "Jede Aufgabe aus früheren Besprechungen: erledigt, oder neuer Termin und Verantwortliche."),
                ("Überfällige Checklistenpunkte", "Überfällige Punkte beider Seiten: neuen Termin vereinbaren oder Blockade lösen."),
                ("Warten auf die Abnahme durch den Kunden", "Abschnitte, die zur Entscheidung des Key Users bereitstehen."),
                ("Fällige oder gebrochene Zusagen", "Was wir zugesagt haben: eingehalten, bald fällig oder gebrochen, und was wir jetzt tun."),
                ("Nächste Schritte", "Wer bis zur nächsten Besprechung was erledigt."),
            ],
        ),
    },
    "steering": {
        "en": (
            "Steering meeting",
            "Every two weeks with the project manager and the client's department director: the plan, the "
            "problems, the decisions needed and the action items.",
            [
                ("Plan and milestones", "Where the plan stands; stages awaiting acceptance."),
                ("Problems and risks", "Open red flags and what is being done about each."),
                ("Commitments", "Promises due or broken since the last meeting."),
                ("Action items from the last meeting", "Done, or a new date and owner."),
                ("Decisions needed", "What must be decided today, by whom."),
            ],
        ),
        "de": (
            "Lenkungskreis",
            "Alle zwei Wochen mit der Projektleitung und der Bereichsleitung des Kunden: der Plan, die Probleme, "
            "die nötigen Entscheidungen und die Aufgaben.",
            [
                ("Plan und Meilensteine", "Wo der Plan steht; Abschnitte, die auf Abnahme warten."),
                ("Probleme und Risiken", "Offene Red Flags und was zu jeder getan wird."),
                ("Zusagen", "Seit der letzten Besprechung fällige oder gebrochene Zusagen."),
                ("Aufgaben aus der letzten Besprechung", "Erledigt, oder neuer Termin und Verantwortliche."),
                ("Nötige Entscheidungen", "Was heute von wem entschieden werden muss."),
            ],
        ),
    },
    "executive-review-6w": {
        "en": (
            "Executive review (every 6 weeks)",
            "The executives of both sides (CTO and COO) review the cooperation: value delivered, risks, "
            "commitments and the direction for the next period.",
            [
                ("Value delivered", "Results since the last review, in the client's terms."),
                ("Escalations and risks", "Red flags raised and how they were handled."),
                ("Commitments kept and broken", "How reliably each side kept its word."),
                ("Direction for the next period", "Priorities and decisions for the next weeks."),
            ],
        ),
        "de": (
            "Management-Review (alle 6 Wochen)",
            "Die Geschäftsleitungen beider Seiten (CTO und COO) prüfen die Zusammenarbeit: erbrachter Nutzen, "
            "Risiken, Zusagen und die Richtung für den nächsten Zeitraum.",
            [
                ("Erbrachter Nutzen", "Ergebnisse seit dem letzten Review, in den Begriffen des Kunden."),
                ("Eskalationen und Risiken", "Gemeldete Red Flags und wie sie behandelt wurden."),
                ("Eingehaltene und gebrochene Zusagen", "Wie verlässlich jede Seite ihr Wort gehalten hat."),
                ("Richtung für den nächsten Zeitraum", "Prioritäten und Entscheidungen für die nächsten Wochen."),
            ],
        ),
    },
    "executive-review-yearly": {
        "en": (
            "Executive review (yearly)",
            "Once a year, the executives of both sides (CTO and COO) review the cooperation: value delivered, "
            "risks, commitments and the direction for the coming year.",
            [
                ("Value delivered", "Results of the year, in the client's terms."),
                ("Escalations and risks", "Red flags raised and how they were handled."),
                ("Commitments kept and broken", "How reliably each side kept its word."),
                ("Direction for the coming year", "Priorities, contract and decisions for the next year."),
            ],
        ),
        "de": (
            "Management-Review (jährlich)",
            "Einmal im Jahr prüfen die Geschäftsleitungen beider Seiten (CTO und COO) die Zusammenarbeit: "
            "erbrachter Nutzen, Risiken, Zusagen und die Richtung für das kommende Jahr.",
            [
                ("Erbrachter Nutzen", "Ergebnisse des Jahres, in den Begriffen des Kunden."),
                ("Eskalationen und Risiken", "Gemeldete Red Flags und wie sie behandelt wurden."),
                ("Eingehaltene und gebrochene Zusagen", "Wie verlässlich jede Seite ihr Wort gehalten hat."),
                ("Richtung für das kommende Jahr", "Prioritäten, Vertrag und Entscheidungen für das nächste Jahr."),
            ],
        ),
    },
    "handoff": {
        "en": (
            "Internal handoff meeting",
            "Sales hands the client over to delivery: everything learned during the sale, before anyone meets the "
            "client. Vendor-internal.",
            [
                ("The client's problem and how they measure success", "In the client's own words."),
                ("Stakeholders and what each cares about", "Who decides, who uses, who may resist."),
                ("Commitments made during the sale", "Each one with an owner and a due time."),
                ("Concerns, risks and sensitivities", "Objections raised, politics, anything delivery must know."),
                ("Questions for sales", "What delivery still needs to know."),
            ],
        ),
        "de": (
            "Interne Übergabebesprechung",
            "Der Vertrieb übergibt den Kunden an die Umsetzung: alles, was im Verkauf gelernt wurde, bevor jemand "
            "den Kunden trifft. Nur intern.",
            [
                ("Das Problem des Kunden und wie er Erfolg misst", "In den eigenen Worten des Kunden."),
                ("Stakeholder und was jedem wichtig ist", "Wer entscheidet, wer nutzt, wer sich widersetzen könnte."),
                ("Zusagen aus dem Verkauf", "Jede mit Verantwortlichen und Fälligkeit."),
                ("Bedenken, Risiken und Empfindlichkeiten", "Geäußerte Einwände, Politik, alles, was die Umsetzung wissen muss."),
                ("Fragen an den Vertrieb", "Was die Umsetzung noch wissen muss."),
            ],
        ),
    },
    "kickoff": {
        "en": (
            "Kickoff",
            "The start with the client: what happens next, who is responsible for what, and how the two sides will "
            "work together.",
            [
                ("Introductions", "Who is who on both sides, and each person's role."),
                ("Goals and how success is measured", "What the client wants to achieve, and how we will know."),
                ("What happens next", "The plan, its stages and the first milestones."),
                ("Who is responsible for what", "Both sides' responsibilities, the key user and the deputies."),
                ("How we will work together", "The meeting rhythm, channels, and how problems are escalated."),
                ("Questions and next steps", "Open questions and the first action items."),
            ],
        ),
        "de": (
            "Kickoff",
            "Der Start mit dem Kunden: was als Nächstes passiert, wer wofür verantwortlich ist und wie beide Seiten "
            "zusammenarbeiten.",
            [
                ("Vorstellung", "Wer ist wer auf beiden Seiten, und die Rolle jeder Person."),
                ("Ziele und wie Erfolg gemessen wird", "Was der Kunde erreichen will, und woran wir es erkennen."),
                ("Was als Nächstes passiert", "Der Plan, seine Abschnitte und die ersten Meilensteine."),
                ("Wer wofür verantwortlich ist", "Die Verantwortung beider Seiten, der Key User und die Vertretungen."),
                ("Wie wir zusammenarbeiten", "Der Besprechungsrhythmus, Kanäle und wie Probleme eskaliert werden."),
                ("Fragen und nächste Schritte", "Offene Fragen und die ersten Aufgaben."),
            ],
        ),
    },
}


def create_default_cadences(apps, schema_editor, texts=TEXTS):
    """Also creates a later migration's languages (``texts``: the same shape as ``TEXTS``, e.g. 0004's Polish)."""
    CadenceTemplate = apps.get_model("governance", "CadenceTemplate")
    AgendaSectionTemplate = apps.get_model("governance", "AgendaSectionTemplate")
    for key, structure in CADENCES.items():
        structure = dict(structure)
        live_sources = structure.pop("live_sources")
        for language, (name, purpose, sections) in texts[key].items():
            if CadenceTemplate.objects.filter(key=key, language=language).exists():
                continue
            cadence = CadenceTemplate.objects.create(
                key=key, language=language, name=name, purpose=purpose, **structure
            )
            AgendaSectionTemplate.objects.bulk_create(
                AgendaSectionTemplate(
                    cadence=cadence, position=(index + 1) * 10, title=title, guidance=guidance, live_source=source
                )
                for index, ((title, guidance), source) in enumerate(zip(sections, live_sources, strict=True))
            )


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [migrations.RunPython(create_default_cadences, migrations.RunPython.noop)]
