"""Absences can be changed and cancelled; overlaps are refused with a message; an end before the start is said in
words; directors see the team's (issue 10)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import StaffAbsence

from .factories import StaffAbsenceFactory

pytestmark = pytest.mark.django_db


def _days(n):
    return timezone.localdate() + timedelta(days=n)


def test_an_overlapping_absence_is_refused_with_a_message(pm):
    StaffAbsenceFactory(user=pm, starts_on=_days(10), ends_on=_days(14))
    with pytest.raises(ValidationError) as refused:
        services.staff_absence_record(by=pm, user=pm, starts_on=_days(14), ends_on=_days(20))
    assert "overlaps" in refused.value.messages[0] and pm.full_name in refused.value.messages[0]
    assert StaffAbsence.objects.count() == 1
    # Back to back is fine.
    services.staff_absence_record(by=pm, user=pm, starts_on=_days(15), ends_on=_days(20))


def test_another_persons_absence_on_the_same_days_is_no_overlap(pm, deputy_pm):
    StaffAbsenceFactory(user=pm, starts_on=_days(10), ends_on=_days(14))
    services.staff_absence_record(by=deputy_pm, user=deputy_pm, starts_on=_days(10), ends_on=_days(14))


def test_the_page_says_an_overlap_in_words_and_keeps_what_was_typed(client, pm):
    StaffAbsenceFactory(user=pm, starts_on=_days(10), ends_on=_days(14))
    client.force_login(pm)
    response = client.post(
        reverse("accounts:absences"),
        {"starts_on": _days(12).isoformat(), "ends_on": _days(16).isoformat(), "reason": "holiday", "note": "Alps"},
    )
    body = response.content.decode()
    assert "This overlaps" in body and 'value="Alps"' in body
    assert StaffAbsence.objects.count() == 1


def test_an_absence_is_changed_on_its_page(client, pm):
    absence = StaffAbsenceFactory(user=pm, starts_on=_days(10), ends_on=_days(14))
    client.force_login(pm)
    url = reverse("accounts:absence_edit", args=[absence.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"starts_on": _days(11).isoformat(), "ends_on": _days(18).isoformat(), "reason": "training", "note": ""}
    )
    assert response.status_code == 302
    absence.refresh_from_db()
    assert (absence.starts_on, absence.ends_on, absence.reason) == (_days(11), _days(18), "training")


def test_a_backwards_change_is_refused_in_words(client, pm):
    absence = StaffAbsenceFactory(user=pm, starts_on=_days(10), ends_on=_days(14))
    client.force_login(pm)
    response = client.post(
        reverse("accounts:absence_edit", args=[absence.pk]),
        {"starts_on": _days(10).isoformat(), "ends_on": _days(2).isoformat(), "reason": "holiday"},
    )
    assert "The absence cannot end before it starts" in response.content.decode()
    absence.refresh_from_db()
    assert absence.ends_on == _days(14)


def test_a_coming_absence_is_cancelled_and_one_under_way_ends_yesterday(pm):
    coming = StaffAbsenceFactory(user=pm, starts_on=_days(10), ends_on=_days(14))
    assert services.staff_absence_cancel(by=pm, absence=coming) is None
    assert not StaffAbsence.objects.filter(pk=coming.pk).exists()
    under_way = StaffAbsenceFactory(user=pm, starts_on=_days(-3), ends_on=_days(3))
    shortened = services.staff_absence_cancel(by=pm, absence=under_way)
    assert (shortened.starts_on, shortened.ends_on) == (_days(-3), _days(-1))


def test_an_absence_that_is_over_stays_as_recorded(pm):
    over = StaffAbsenceFactory(user=pm, starts_on=_days(-10), ends_on=_days(-5))
    with pytest.raises(ValidationError):
        services.staff_absence_cancel(by=pm, absence=over)
    with pytest.raises(ValidationError):
        services.staff_absence_update(by=pm, absence=over, note="changed")


def test_only_the_person_directors_and_admins_change_an_absence(pm, csm, director):
    absence = StaffAbsenceFactory(user=pm, starts_on=_days(10), ends_on=_days(14))
    with pytest.raises(PermissionDenied):
        services.staff_absence_update(by=csm, absence=absence, note="not mine")
    services.staff_absence_update(by=director, absence=absence, note="Approved")


def test_the_cancel_button_needs_its_confirmation(client, pm):
    absence = StaffAbsenceFactory(user=pm, starts_on=_days(10), ends_on=_days(14))
    client.force_login(pm)
    client.post(reverse("accounts:absence_cancel", args=[absence.pk]))
    assert StaffAbsence.objects.filter(pk=absence.pk).exists()
    client.post(reverse("accounts:absence_cancel", args=[absence.pk]), {"confirm": "yes"})
    assert not StaffAbsence.objects.filter(pk=absence.pk).exists()


def test_directors_see_the_teams_absences_and_record_anyones(client, director, pm, csm):
    StaffAbsenceFactory(user=pm, starts_on=_days(2), ends_on=_days(4), note="Petra's holiday")
    StaffAbsenceFactory(user=csm, starts_on=_days(-10), ends_on=_days(-5), note="Long over")
    client.force_login(director)
    body = client.get(reverse("accounts:absences")).content.decode()
    team = body.split('data-testid="team-absences"')[1].split("</ul>")[0]
    assert "Petra&#x27;s holiday" in team and pm.full_name in team
    assert "Long over" not in team
    response = client.post(
        reverse("accounts:absences"),
        {"user": csm.pk, "starts_on": _days(20).isoformat(), "ends_on": _days(21).isoformat(), "reason": "sick"},
    )
    assert response.status_code == 302
    assert StaffAbsence.objects.filter(user=csm, reason="sick").exists()


def test_others_see_only_their_own_absences(client, pm, csm):
    StaffAbsenceFactory(user=pm, starts_on=_days(2), ends_on=_days(4), note="Petra's holiday")
    client.force_login(csm)
    body = client.get(reverse("accounts:absences")).content.decode()
    assert "Petra" not in body and 'data-testid="team-absences"' not in body
    assert 'name="user"' not in body
