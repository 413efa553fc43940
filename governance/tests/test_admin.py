"""Cadences are configured in Django admin: the pages work, the audience is validated, and a cadence is
duplicated (inactive) to be translated."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.tests.factories import UserFactory
from governance.models import CadenceTemplate

from .factories import CadenceTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, vendor):
    admin = UserFactory(vendor_admin=True, organization=vendor, is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_the_cadence_pages_open(admin_client, cadences):
    weekly = CadenceTemplate.objects.get(key="weekly-status", language="de")
    for url in (
        reverse("admin:governance_cadencetemplate_changelist"),
        reverse("admin:governance_cadencetemplate_add"),
        reverse("admin:governance_cadencetemplate_change", args=[weekly.pk]),
        reverse("admin:governance_meeting_changelist"),
        reverse("admin:governance_meetingseries_changelist"),
        reverse("admin:governance_calendarfeed_changelist"),
    ):
        assert admin_client.get(url).status_code == 200, url


def test_duplicating_a_cadence_copies_its_agenda_inactive(admin_client, cadences):
    weekly = CadenceTemplate.objects.get(key="weekly-status", language="en")
    admin_client.post(
        reverse("admin:governance_cadencetemplate_changelist"),
        {"action": "duplicate", "_selected_action": [weekly.pk]},
    )
    copy = CadenceTemplate.objects.get(key="weekly-status-copy", language="en")
    assert not copy.is_active
    assert [s.title for s in copy.sections.all()] == [s.title for s in weekly.sections.all()]


@pytest.mark.parametrize(
    "fields",
    [
        {"vendor_audience": ["cfo"]},
        {"client_audience": "key_user"},
        {"kind": "kickoff", "frequency": "weekly"},
        {"kind": "recurring", "frequency": "once"},
        {"is_internal": True, "client_audience": ["key_user"]},
    ],
)
def test_a_cadence_refuses_what_cannot_work(fields):
    cadence = CadenceTemplateFactory.build(**fields)
    with pytest.raises(ValidationError):
        cadence.full_clean()


def test_each_default_cadence_exists_in_every_language(cadences):
    from django.conf import settings

    keys = set(CadenceTemplate.objects.values_list("key", flat=True))
    assert keys == {"weekly-status", "steering", "executive-review-6w", "executive-review-yearly", "handoff", "kickoff"}
    for key in keys:
        languages = set(CadenceTemplate.objects.filter(key=key).values_list("language", flat=True))
        assert languages == {code for code, _name in settings.LANGUAGES}, key
    for cadence in CadenceTemplate.objects.all():
        cadence.full_clean()
        assert cadence.sections.count() >= 4
