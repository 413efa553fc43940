import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from accounts.models import Organization, OrganizationKind, Role, User

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "engagements", "governance", "escalations", "notifications"}
    }


def test_seed_demo_runs_twice_without_duplicates(capsys):
    call_command("seed_demo")
    first = _counts()
    out = capsys.readouterr().out
    call_command("seed_demo")
    assert _counts() == first
    assert "onboard-demo-2026" in out
    assert "keyuser@acme.example" in out


def test_seed_demo_creates_every_role_and_two_clients_with_key_users():
    call_command("seed_demo")
    roles = set(User.objects.values_list("role", flat=True))
    assert {Role.VENDOR_ADMIN, Role.EXECUTIVE, Role.DIRECTOR, Role.CSM, Role.PM} <= roles
    assert User.objects.filter(role=Role.CSM).count() >= 2
    assert User.objects.filter(role=Role.PM).count() >= 2
    clients = Organization.objects.filter(kind=OrganizationKind.CLIENT)
    assert clients.count() >= 2
    for org in clients:
        assert org.users.filter(role=Role.CLIENT_KEY_USER).exists()
        assert org.users.filter(role=Role.CLIENT_MEMBER).exists()


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="--allow-production"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_runs_in_production_only_when_explicitly_allowed(settings, capsys):
    settings.PRODUCTION = True
    call_command("seed_demo", "--allow-production")
    assert User.objects.filter(email="admin@northwind.example").exists()


def test_the_deputy_persona_stands_in_and_finds_what_was_handed_over(client, settings, tmp_path):
    """Omar (PM of Globex's onboarding) is away this week: Petra, his deputy, sees the cover banner and his open
    items on her My work, and her notice is scheduled for the beat's sweep."""
    from django.urls import reverse

    from engagements import cover
    from notifications.models import Reminder

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    call_command("seed_demo")
    petra, omar = (User.objects.get(email=f"pm.{name}@northwind.example") for name in ("petra", "omar"))
    client.force_login(petra)
    body = client.get(reverse("portfolio:my_work")).content.decode()
    assert f"You are standing in for {omar.full_name} until" in body
    handed = body.split('data-testid="work-checklists.handed_over"')[1].split("</section>")[0]
    assert handed.count("<li") >= 2 and f"for {omar.full_name}, away until" in handed
    assert Reminder.objects.filter(kind=cover.START_KIND, status="pending").exists()


def test_seed_demo_creates_a_polish_client_whose_content_is_in_polish(settings, tmp_path):
    from checklists.default_template import TRANSLATIONS
    from checklists.models import ChecklistStage
    from engagements.models import ClientProfile, Engagement, Promise
    from escalations.models import RedFlag
    from governance.models import AgendaItem, GovernancePlan, MeetingSeries, Outcome

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    call_command("seed_demo")
    client = Organization.objects.get(slug="baltyk-energia")
    assert set(client.users.values_list("language", flat=True)) == {"pl"}
    assert client.users.filter(email="keyuser@baltyk.example", role=Role.CLIENT_KEY_USER).exists()
    assert ClientProfile.objects.get(organization=client).language == "pl"
    engagement = Engagement.objects.get(client=client)
    stages = ChecklistStage.objects.filter(engagement=engagement).order_by("position")
    assert [stage.title for stage in stages] == [title for title, _items in TRANSLATIONS["pl"][2]]
    assert GovernancePlan.objects.get(engagement=engagement).language == "pl"
    assert MeetingSeries.objects.filter(engagement=engagement, name="Cotygodniowe spotkanie statusowe").exists()
    minutes = AgendaItem.objects.filter(meeting__engagement=engagement).exclude(minutes="")
    assert minutes.exists() and all("Etap zgodnie z planem" in item.minutes for item in minutes)
    assert Outcome.objects.filter(engagement=engagement, text="Utrzymujemy termin uruchomienia produkcyjnego.").exists()
    promises = set(Promise.objects.filter(engagement=engagement).values_list("description", flat=True))
    assert {"Osobny kanał w Teams z zespołem realizacji", "Przed kolejnym spotkaniem prześlemy opis architektury"} <= (
        promises
    )
    flags = set(RedFlag.objects.filter(engagement=engagement).values_list("title", flat=True))
    assert "Zgłoszenia awarii z aplikacji mobilnej nie trafiają do dyspozytorów" in flags and len(flags) == 3


def test_seed_demo_shows_a_plan_with_a_late_client_task_others_wait_for():
    from django.utils import timezone

    from checklists.models import ItemDependency, PlanForecast

    call_command("seed_demo")
    late = ItemDependency.objects.filter(
        predecessor__owner_side="client", predecessor__due_on__lt=timezone.localdate(), predecessor__status="open"
    ).first()
    assert late is not None
    assert late.successor.due_on > timezone.localdate()  # moved after the late task, which cannot end before today
    assert PlanForecast.objects.filter(engagement=late.engagement, forecast_on__isnull=False).exists()
