"""Staff absences: anyone records their own, directors and admins anyone's; the deputy stands in for an absent
PM; the page shows one's own absences."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import StaffAbsence

from .factories import StaffAbsenceFactory

pytestmark = pytest.mark.django_db


def test_absence_must_end_after_it_starts(pm):
    with pytest.raises(ValidationError):
        services.staff_absence_record(by=pm, user=pm, starts_on=date(2026, 3, 10), ends_on=date(2026, 3, 9))


def test_a_pm_cannot_record_someone_elses_absence(pm, deputy_pm):
    with pytest.raises(PermissionDenied):
        services.staff_absence_record(by=pm, user=deputy_pm, starts_on=date(2026, 3, 10), ends_on=date(2026, 3, 11))


def test_only_a_director_or_admin_records_someone_elses_absence(csm, director, pm):
    with pytest.raises(PermissionDenied):
        services.staff_absence_record(by=csm, user=pm, starts_on=date(2026, 7, 1), ends_on=date(2026, 7, 14))
    absence = services.staff_absence_record(by=director, user=pm, starts_on=date(2026, 7, 1), ends_on=date(2026, 7, 14))
    assert absence.user == pm


def test_any_staff_member_records_their_own_absence_with_a_reason(team_member):
    absence = services.staff_absence_record(
        by=team_member, user=team_member, starts_on=date(2026, 8, 3), ends_on=date(2026, 8, 14), reason="holiday"
    )
    assert (absence.user, absence.get_reason_display()) == (team_member, "Holiday")


def test_client_people_have_no_absences(director, client_key_user):
    with pytest.raises(ValidationError):
        services.staff_absence_record(
            by=director, user=client_key_user, starts_on=date(2026, 8, 3), ends_on=date(2026, 8, 4)
        )
    with pytest.raises(PermissionDenied):
        services.staff_absence_record(
            by=client_key_user, user=client_key_user, starts_on=date(2026, 8, 3), ends_on=date(2026, 8, 4)
        )
    assert not StaffAbsence.objects.exists()


def test_the_page_records_and_lists_ones_own_absences(client, pm, deputy_pm):
    StaffAbsenceFactory(user=deputy_pm, note="Not mine")
    client.force_login(pm)
    start = timezone.localdate() + timedelta(days=10)
    response = client.post(
        reverse("accounts:absences"),
        {"starts_on": start.isoformat(), "ends_on": (start + timedelta(days=4)).isoformat(), "reason": "training"},
        follow=True,
    )
    body = response.content.decode()
    assert "Absence recorded" in body and "Training or travel" in body
    assert "Not mine" not in body
    assert StaffAbsence.objects.filter(user=pm, reason="training").count() == 1


def test_a_backwards_absence_shows_why_and_records_nothing(client, pm):
    client.force_login(pm)
    response = client.post(
        reverse("accounts:absences"), {"starts_on": "2026-03-10", "ends_on": "2026-03-09", "reason": "holiday"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "The absence cannot end before it starts" in body and "absence_ends_after_start" not in body
    assert 'value="2026-03-10"' in body
    assert not StaffAbsence.objects.exists()
