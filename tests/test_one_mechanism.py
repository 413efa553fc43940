"""One event, one mechanism (issue 18): an absence reaches the deputies' cover and the on-call rota through
``accounts.hooks.on_absence_changed``, called once by the service that writes it (the admin's writes included);
model signals are only for cache invalidation."""

import re
import weakref
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import signals
from django.urls import reverse
from django.utils import timezone

from accounts import hooks, services
from accounts.models import StaffAbsence
from accounts.tests.factories import UserFactory
from engagements import cover
from escalations.models import OnCallOverride, OverrideSource
from escalations.services import rota
from escalations.tests.factories import OnCallRotaFactory, OnCallShiftFactory
from notifications.models import Reminder, ReminderStatus

# Receivers of model signals that may exist: they invalidate caches and write no domain rows.
ALLOWED_RECEIVERS = {"portfolio.figures.changed"}
MODEL_SIGNALS = [
    signals.pre_init,
    signals.post_init,
    signals.pre_save,
    signals.post_save,
    signals.pre_delete,
    signals.post_delete,
    signals.m2m_changed,
]


def test_cover_and_the_rota_react_to_the_one_absence_hook_once_each():
    assert hooks._absence_changed.count(cover.absence_cover_sync) == 1
    assert hooks._absence_changed.count(rota.rota_absence_changed) == 1


def _project_modules() -> set[str]:
    base = Path(settings.BASE_DIR).resolve()
    return {
        c.name.split(".")[0]
        for c in apps.get_app_configs()
        # The virtualenv may live inside the checkout (bin/test makes .venv there): its packages are not ours.
        if base in Path(c.path).resolve().parents and "site-packages" not in Path(c.path).parts
    }


def test_no_model_signal_receiver_but_cache_invalidation():
    ours = _project_modules() | {"onboarding_portal"}
    found = set()
    for signal in MODEL_SIGNALS:
        for entry in signal.receivers:
            receiver = entry[1]
            if isinstance(receiver, weakref.ReferenceType):
                receiver = receiver()
            if receiver is None or receiver.__module__.split(".")[0] not in ours:
                continue
            found.add(f"{receiver.__module__}.{receiver.__qualname__}")
    assert found <= ALLOWED_RECEIVERS, found


def test_the_sources_connect_model_signals_only_for_the_figures():
    base = Path(settings.BASE_DIR)
    pattern = re.compile(r"\b(pre_save|post_save|pre_delete|post_delete|m2m_changed|pre_init|post_init)\b")
    files = {
        str(path.relative_to(base))
        for path in base.rglob("*.py")
        if not ({".venv", "tests", "migrations", "var"} & set(path.relative_to(base).parts))
        and pattern.search(path.read_text())
    }
    assert files == {"portfolio/apps.py"}


@pytest.fixture
def on_call(pm, csm):
    """Petra (pm) is on duty for three weeks, Anna (csm) is the rota's backup; the rota syncs are counted."""
    now = datetime.now(ZoneInfo("UTC"))
    rota_ = OnCallRotaFactory(backup=csm)
    OnCallShiftFactory(rota=rota_, person=pm, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=21))
    return rota_


@pytest.fixture
def syncs(monkeypatch):
    calls = []
    real = rota.rota_sync_absences

    def counted(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(rota, "rota_sync_absences", counted)
    return calls


def _days(n):
    return timezone.localdate() + timedelta(days=n)


def _overrides():
    return list(OnCallOverride.objects.filter(source=OverrideSource.ABSENCE).order_by("starts_at"))


def _cover(absence_pk):
    start, end = cover._keys(absence_pk)
    return {r.key.rsplit(":", 1)[1]: r for r in Reminder.objects.filter(key__in=[start, end])}


@pytest.mark.django_db
def test_recording_changing_and_cancelling_through_the_service_updates_rota_and_cover_once(
    engagement, pm, csm, on_call, syncs
):
    absence = services.staff_absence_record(by=pm, user=pm, starts_on=_days(3), ends_on=_days(4))
    assert len(syncs) == 1
    (override,) = _overrides()
    assert (override.person, override.replaces, override.absence_id) == (csm, pm, absence.pk)
    reminders = _cover(absence.pk)
    assert set(reminders) == {"start", "end"} and reminders["end"].payload["ends_on"] == _days(4).isoformat()

    services.staff_absence_update(by=pm, absence=absence, ends_on=_days(6))
    assert len(syncs) == 2
    (override,) = _overrides()
    assert override.ends_at - override.starts_at == timedelta(days=4)
    assert _cover(absence.pk)["end"].payload["ends_on"] == _days(6).isoformat()

    assert services.staff_absence_cancel(by=pm, absence=absence) is None
    assert len(syncs) == 3
    assert _overrides() == [] and not StaffAbsence.objects.exists()
    assert {r.status for r in _cover(absence.pk).values()} == {ReminderStatus.CANCELLED}


@pytest.mark.django_db
def test_an_absent_backup_covers_nobody_even_when_they_record_it_later(pm, csm, on_call):
    services.staff_absence_record(by=pm, user=pm, starts_on=_days(3), ends_on=_days(4))
    assert _overrides()[0].person == csm
    backup_away = services.staff_absence_record(by=csm, user=csm, starts_on=_days(2), ends_on=_days(5))
    assert _overrides()[0].person is None
    services.staff_absence_cancel(by=csm, absence=backup_away)
    assert _overrides()[0].person == csm


@pytest.mark.django_db
def test_a_backup_away_twice_is_away_both_times(pm, csm, on_call):
    # Absences come newest first: the earlier one must count as much as the later one.
    services.staff_absence_record(by=csm, user=csm, starts_on=_days(2), ends_on=_days(5))
    services.staff_absence_record(by=csm, user=csm, starts_on=_days(-10), ends_on=_days(-8))
    services.staff_absence_record(by=pm, user=pm, starts_on=_days(3), ends_on=_days(4))
    assert [o.person for o in _overrides()] == [None]


@pytest.mark.django_db
def test_the_admins_writes_go_through_the_services(client, engagement, pm, csm, vendor, on_call, syncs):
    admin = UserFactory(vendor_admin=True, organization=vendor, is_staff=True, is_superuser=True)
    client.force_login(admin)
    form = {"user": pm.pk, "starts_on": _days(3).isoformat(), "ends_on": _days(4).isoformat(), "reason": "holiday"}
    response = client.post(reverse("admin:accounts_staffabsence_add"), {**form, "note": "Holiday"})
    assert response.status_code == 302, response.content.decode()
    absence = StaffAbsence.objects.get()
    assert len(syncs) == 1 and _overrides()[0].absence_id == absence.pk
    assert set(_cover(absence.pk)) == {"start", "end"}

    change = reverse("admin:accounts_staffabsence_change", args=[absence.pk])
    response = client.post(change, {**form, "ends_on": _days(6).isoformat(), "note": "Longer"})
    assert response.status_code == 302, response.content.decode()
    assert len(syncs) == 2
    (override,) = _overrides()
    assert override.ends_at - override.starts_at == timedelta(days=4) and override.reason == "Longer"
    assert _cover(absence.pk)["end"].payload["ends_on"] == _days(6).isoformat()

    # An overlapping one is refused next to the fields, as on the absences page; nothing is written.
    overlapping = {**form, "starts_on": _days(5).isoformat(), "ends_on": _days(8).isoformat()}
    response = client.post(reverse("admin:accounts_staffabsence_add"), overlapping)
    assert response.status_code == 200 and "This overlaps" in response.content.decode()
    assert StaffAbsence.objects.count() == 1 and len(syncs) == 2

    response = client.post(reverse("admin:accounts_staffabsence_delete", args=[absence.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert len(syncs) == 3 and _overrides() == [] and not StaffAbsence.objects.exists()
    assert {r.status for r in _cover(absence.pk).values()} == {ReminderStatus.CANCELLED}


@pytest.mark.django_db
def test_the_admins_bulk_delete_cancels_each_absence_and_keeps_the_past(client, pm, csm, vendor, on_call, syncs):
    admin = UserFactory(vendor_admin=True, organization=vendor, is_staff=True, is_superuser=True)
    client.force_login(admin)
    coming = services.staff_absence_record(by=pm, user=pm, starts_on=_days(3), ends_on=_days(4))
    under_way = services.staff_absence_record(by=csm, user=csm, starts_on=_days(-2), ends_on=_days(1))
    assert len(syncs) == 2
    response = client.post(
        reverse("admin:accounts_staffabsence_changelist"),
        {"action": "delete_selected", "_selected_action": [coming.pk, under_way.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert len(syncs) == 4 and _overrides() == []
    # The one under way now ends yesterday (as cancelling it on the absences page does).
    assert list(StaffAbsence.objects.values_list("pk", "ends_on")) == [(under_way.pk, _days(-1))]
    # An absence that is over cannot be changed or deleted in the admin either.
    assert client.get(reverse("admin:accounts_staffabsence_change", args=[under_way.pk])).status_code == 200
    response = client.post(reverse("admin:accounts_staffabsence_delete", args=[under_way.pk]), {"post": "yes"})
    assert response.status_code == 403 and StaffAbsence.objects.count() == 1
