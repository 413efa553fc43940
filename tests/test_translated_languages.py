"""German and Polish are complete languages: a user who chooses one gets pages, mail and dates in it.

Each test runs for both; ``SAYS`` holds what each language must show (and the English it must not).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import ngettext

from accounts import services as account_services
from accounts.models import Role
from checklists import services as checklist_services
from checklists.tests.factories import ChecklistItemFactory, ChecklistStageFactory
from notifications import services as notification_services
from notifications.models import Channel, Notification, Reminder
from notifications.services import reminder_sweep
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")

SAYS = {
    "de": {
        "name": "German",
        "saved": "Ihre Einstellungen wurden gespeichert.",
        "dashboard": ("Übersicht", "Kunden", "Projekte filtern", "Projekte mit Fortschritt und Zustand", "Abmelden"),
        "portal_home": "Nächster Schritt auf Ihrer Seite",
        "portal_project": ("Ihr Team", "Frühe Erfolge", "Kundenportal"),
        "portal_tasks": "Offene Aufgaben",
        "date": "8. Nov. 2026",
        "short_date_march": "8. März 2026",
        "short_datetime": "8. Nov. 2026, 15:05",
        "invitation_subject": "Sie sind in das Onboarding-Portal von Acme Logistics eingeladen",
        "invitation_body": ("Hallo Nina", "Legen Sie Ihr Konto hier an:"),
        "invitation_html": "Konto anlegen",
        "due_subject": "Fällig am 30. Nov. 2026: Signed DPA (Acme Logistics)",
        "due_body": ("ist am 30. Nov. 2026 fällig", "Im Portal öffnen:"),
        "history": ("Fälligkeitsdatum: 20. Nov. 2026 → 30. Nov. 2026", "Status: Offen → Nicht zutreffend"),
        "open_verb": ">Öffnen</button>",
        "open_state": ">Offen</button>",
    },
    "pl": {
        "name": "Polish",
        "saved": "Twoje preferencje zostały zapisane.",
        "dashboard": ("Pulpit", "Klienci", "Filtruj projekty", "Projekty z postępem i kondycją", "Wyloguj się"),
        "portal_home": "Następny krok po Twojej stronie",
        "portal_project": ("Twój zespół", "Szybkie sukcesy", "Portal klienta"),
        "portal_tasks": "Otwarte zadania",
        # Polish names the month in the genitive ("8 listopada"), as Polish dates read.
        "date": "8 listopada 2026",
        "short_date_march": "8 marca 2026",
        "short_datetime": "8 listopada 2026, 15:05",
        "invitation_subject": "Zaproszenie do portalu wdrożeniowego Acme Logistics",
        "invitation_body": ("Dzień dobry, Nina", "Utwórz swoje konto tutaj:"),
        "invitation_html": "Utwórz swoje konto",
        "due_subject": "Termin 30 listopada 2026: Signed DPA (Acme Logistics)",
        "due_body": ("ma termin 30 listopada 2026", "Otwórz w portalu:"),
        "history": ("Termin: 20 listopada 2026 → 30 listopada 2026", "Status: Otwarte → Nie dotyczy"),
        "open_verb": ">Otwórz</button>",
        "open_state": ">Otwarte</button>",
    },
}
LANGUAGES = pytest.mark.parametrize("language", SAYS)


def _speaks(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return user


@LANGUAGES
def test_the_language_is_offered_in_the_profile(client, csm, language):
    says = SAYS[language]
    client.force_login(csm)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert f'<option value="{language}">{says["name"]}</option>' in page
    choice = {"prefs-full_name": csm.full_name, "prefs-time_zone": "Europe/Berlin", "prefs-language": language}
    response = client.post(reverse("accounts:profile"), choice)
    assert response.status_code == 302
    csm.refresh_from_db()
    assert csm.language == language
    assert says["saved"] in client.get(reverse("accounts:profile")).content.decode()


@LANGUAGES
def test_a_csm_sees_the_dashboard_in_their_language(client, csm, engagement, language):
    client.force_login(_speaks(csm, language))
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert response["Content-Language"] == language
    assert f'<html lang="{language}">' in page
    for word in SAYS[language]["dashboard"]:
        assert word in page
    for english in ("Dashboard", "Filter engagements", "Log out", "Engagements with progress and health"):
        assert english not in page


@LANGUAGES
def test_an_english_colleague_still_sees_english(client, csm, other_csm, engagement, language):
    _speaks(csm, language)
    client.force_login(other_csm)
    page = client.get(reverse("home")).content.decode()
    assert "Dashboard" in page and SAYS[language]["dashboard"][0] not in page


@LANGUAGES
def test_a_key_user_sees_the_portal_in_their_language(client, client_key_user, engagement, language):
    says = SAYS[language]
    stage = ChecklistStageFactory(engagement=engagement, title="Vorbereitung")
    ChecklistItemFactory(stage=stage, client_side=True, assignee=client_key_user, title="Ansprechpartner benennen")
    client.force_login(_speaks(client_key_user, language))
    home = client.get(reverse("portal:home")).content.decode()
    assert says["portal_home"] in home and "Ansprechpartner benennen" in home
    assert "Next step on your side" not in home
    project = client.get(reverse("portal:engagement", args=[engagement.pk])).content.decode()
    for word in says["portal_project"]:
        assert word in project
    assert "Your team" not in project and "Early wins" not in project
    tasks = client.get(reverse("portal:tasks")).content.decode()
    assert says["portal_tasks"] in tasks and "Ansprechpartner benennen" in tasks
    assert "Open tasks" not in tasks


@LANGUAGES
def test_dates_name_the_month_and_use_24_hour_times(language):
    says = SAYS[language]
    with translation.override(language):
        assert date_format(date(2026, 11, 8)) == says["date"]
        assert date_format(date(2026, 3, 8), "SHORT_DATE_FORMAT") == says["short_date_march"]
        assert date_format(datetime(2026, 11, 8, 15, 5), "SHORT_DATETIME_FORMAT") == says["short_datetime"]
    with translation.override("en"):
        assert date_format(date(2026, 11, 8)) == "8 Nov 2026"


@LANGUAGES
def test_date_pickers_keep_iso_values(client, csm, engagement, language):
    # <input type="date"> shows nothing unless its value is ISO; Django's German and Polish defaults (08.11.2026)
    # would blank every date field of the user's edit form.
    engagement.kickoff_on = date(2026, 11, 8)
    engagement.save(update_fields=["kickoff_on"])
    client.force_login(_speaks(csm, language))
    page = client.get(reverse("engagements:edit", args=[engagement.pk])).content.decode()
    assert 'value="2026-11-08"' in page
    detail = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    assert SAYS[language]["date"] in detail


@LANGUAGES
def test_an_invitation_is_mailed_in_the_inviters_language(csm, engagement, settings, language):
    says = SAYS[language]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _speaks(csm, language)
    account_services.invitation_create(
        by=csm, organization=engagement.client, email="neu@acme.example", full_name="Nina Neu", role=Role.CLIENT_MEMBER
    )
    assert notification_services.notification_relay() == 1
    (message,) = mail.outbox
    assert message.subject == says["invitation_subject"]
    for words in says["invitation_body"]:
        assert words in message.body
    html = message.alternatives[0][0]
    assert says["invitation_html"] in html and "Create your account" not in html


@LANGUAGES
def test_an_assignee_is_reminded_in_their_language_with_its_dates(engagement, csm, team_member, settings, language):
    says = SAYS[language]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _speaks(team_member, language)
    stage = ChecklistStageFactory(engagement=engagement, title="Kickoff")
    item = checklist_services.item_create(
        by=csm,
        stage=stage,
        title="Signed DPA",
        due_on=date(2026, 11, 30),
        assignee=team_member,
        now=datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
    )
    at = Reminder.objects.get(key=f"checklist-item:{item.pk}:due-soon").due_at
    assert reminder_sweep(now=at) == 1
    row = Notification.objects.get(channel=Channel.EMAIL, recipient=team_member)
    assert row.subject == says["due_subject"]
    message = notification_services.notification_email(row)
    for words in says["due_body"]:
        assert words in message.body
    assert "Open it in the portal" not in message.body


@LANGUAGES
def test_an_items_history_names_fields_and_values_in_the_language(client, csm, engagement, language):
    stage = ChecklistStageFactory(engagement=engagement)
    item = ChecklistItemFactory(stage=stage, title="Zugänge einrichten", due_on=date(2026, 11, 20))
    checklist_services.item_update(by=csm, item=item, due_on=date(2026, 11, 30), status="not_applicable")
    client.force_login(_speaks(csm, language))
    page = client.get(reverse("checklists:item", args=[item.pk])).content.decode()
    for line in SAYS[language]["history"]:
        assert line in page
    history = page[page.index('data-testid="history"') :]
    assert "not_applicable" not in history and "due_on" not in history


@LANGUAGES
def test_a_notification_is_opened_with_a_verb_not_labelled_open(client, csm, language):
    NotificationFactory(recipient=_speaks(csm, language), in_app=True, url="/engagements/")
    client.force_login(csm)
    page = client.get(reverse("notifications:centre")).content.decode()
    assert SAYS[language]["open_verb"] in page and SAYS[language]["open_state"] not in page


def test_polish_counts_take_the_three_plural_forms():
    # 1 zadanie, 2-4 zadania, 5-21 zadań, 22-24 zadania again: Polish looks at the last digits, not just at one.
    with translation.override("pl"):
        said = {
            n: ngettext("%(counter)s open task in all", "%(counter)s open tasks in all", n) % {"counter": n}
            for n in (1, 2, 4, 5, 12, 13, 21, 22, 25, 104, 112)
        }
    assert said == {
        1: "Łącznie 1 otwarte zadanie",
        2: "Łącznie 2 otwarte zadania",
        4: "Łącznie 4 otwarte zadania",
        5: "Łącznie 5 otwartych zadań",
        12: "Łącznie 12 otwartych zadań",
        13: "Łącznie 13 otwartych zadań",
        21: "Łącznie 21 otwartych zadań",
        22: "Łącznie 22 otwarte zadania",
        25: "Łącznie 25 otwartych zadań",
        104: "Łącznie 104 otwarte zadania",
        112: "Łącznie 112 otwartych zadań",
    }
