"""German is a complete language: a user who chooses it gets German pages, German mail and German dates."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

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


def _speaks_german(user):
    user.language = "de"
    user.save(update_fields=["language"])
    return user


def test_german_is_offered_in_the_profile(client, csm):
    client.force_login(csm)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert '<option value="de">German</option>' in page
    choice = {"prefs-full_name": csm.full_name, "prefs-time_zone": "Europe/Berlin", "prefs-language": "de"}
    response = client.post(reverse("accounts:profile"), choice)
    assert response.status_code == 302
    csm.refresh_from_db()
    assert csm.language == "de"
    assert "Ihre Einstellungen wurden gespeichert." in client.get(reverse("accounts:profile")).content.decode()


def test_a_german_csm_sees_the_dashboard_in_german(client, csm, engagement):
    client.force_login(_speaks_german(csm))
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in page
    for german in ("Übersicht", "Kunden", "Projekte filtern", "Projekte mit Fortschritt und Zustand", "Abmelden"):
        assert german in page
    for english in ("Dashboard", "Filter engagements", "Log out", "Engagements with progress and health"):
        assert english not in page


def test_an_english_colleague_still_sees_english(client, csm, other_csm, engagement):
    _speaks_german(csm)
    client.force_login(other_csm)
    page = client.get(reverse("home")).content.decode()
    assert "Dashboard" in page and "Übersicht" not in page


def test_a_german_key_user_sees_the_portal_in_german(client, client_key_user, engagement):
    stage = ChecklistStageFactory(engagement=engagement, title="Vorbereitung")
    ChecklistItemFactory(stage=stage, client_side=True, assignee=client_key_user, title="Ansprechpartner benennen")
    client.force_login(_speaks_german(client_key_user))
    home = client.get(reverse("portal:home")).content.decode()
    assert "Nächster Schritt auf Ihrer Seite" in home and "Ansprechpartner benennen" in home
    assert "Next step on your side" not in home
    project = client.get(reverse("portal:engagement", args=[engagement.pk])).content.decode()
    assert "Ihr Team" in project and "Frühe Erfolge" in project and "Kundenportal" in project
    assert "Your team" not in project and "Early wins" not in project
    tasks = client.get(reverse("portal:tasks")).content.decode()
    assert "Offene Aufgaben" in tasks and "Ansprechpartner benennen" in tasks
    assert "Open tasks" not in tasks


def test_german_dates_name_the_month_and_use_24_hour_times():
    with translation.override("de"):
        assert date_format(date(2026, 11, 8)) == "8. Nov. 2026"
        assert date_format(date(2026, 3, 8), "SHORT_DATE_FORMAT") == "8. März 2026"
        assert date_format(datetime(2026, 11, 8, 15, 5), "SHORT_DATETIME_FORMAT") == "8. Nov. 2026, 15:05"
    with translation.override("en"):
        assert date_format(date(2026, 11, 8)) == "8 Nov 2026"


def test_date_pickers_keep_iso_values_for_german_users(client, csm, engagement):
    # <input type="date"> shows nothing unless its value is ISO; Django's German default (08.11.2026) would
    # blank every date field of a German user's edit form.
    engagement.kickoff_on = date(2026, 11, 8)
    engagement.save(update_fields=["kickoff_on"])
    client.force_login(_speaks_german(csm))
    page = client.get(reverse("engagements:edit", args=[engagement.pk])).content.decode()
    assert 'value="2026-11-08"' in page
    detail = client.get(reverse("portfolio:engagement", args=[engagement.pk])).content.decode()
    assert "8. Nov. 2026" in detail


def test_an_invitation_from_a_german_csm_is_mailed_in_german(csm, engagement, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _speaks_german(csm)
    account_services.invitation_create(
        by=csm, organization=engagement.client, email="neu@acme.example", full_name="Nina Neu", role=Role.CLIENT_MEMBER
    )
    assert notification_services.notification_relay() == 1
    (message,) = mail.outbox
    assert message.subject == "Sie sind in das Onboarding-Portal von Acme Logistics eingeladen"
    assert "Hallo Nina" in message.body and "Legen Sie Ihr Konto hier an:" in message.body
    html = message.alternatives[0][0]
    assert "Konto anlegen" in html and "Create your account" not in html


def test_a_german_assignee_is_reminded_in_german_with_german_dates(engagement, csm, team_member, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _speaks_german(team_member)
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
    assert row.subject == "Fällig am 30. Nov. 2026: Signed DPA (Acme Logistics)"
    message = notification_services.notification_email(row)
    assert "ist am 30. Nov. 2026 fällig" in message.body
    assert "Im Portal öffnen:" in message.body and "Open it in the portal" not in message.body


def test_an_items_history_names_fields_and_values_in_german(client, csm, engagement):
    stage = ChecklistStageFactory(engagement=engagement)
    item = ChecklistItemFactory(stage=stage, title="Zugänge einrichten", due_on=date(2026, 11, 20))
    checklist_services.item_update(by=csm, item=item, due_on=date(2026, 11, 30), status="not_applicable")
    client.force_login(_speaks_german(csm))
    page = client.get(reverse("checklists:item", args=[item.pk])).content.decode()
    assert "Fälligkeitsdatum: 20. Nov. 2026 → 30. Nov. 2026" in page
    assert "Status: Offen → Nicht zutreffend" in page
    history = page[page.index('data-testid="history"') :]
    assert "not_applicable" not in history and "due_on" not in history


def test_a_notification_is_opened_with_a_verb_not_labelled_open(client, csm):
    NotificationFactory(recipient=_speaks_german(csm), in_app=True, url="/engagements/")
    client.force_login(csm)
    page = client.get(reverse("notifications:centre")).content.decode()
    assert ">Öffnen</button>" in page and ">Offen</button>" not in page
