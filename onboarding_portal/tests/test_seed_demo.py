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
