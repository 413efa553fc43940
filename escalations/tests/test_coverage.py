"""What an engagement counts in: its calendar, 24/7 with an on-call rota (absences make overrides), contract
targets; the shipped defaults; holidays seeded for a country."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import StaffAbsence
from accounts.services import staff_absence_cancel, staff_absence_record
from escalations import defaults, services
from escalations.models import (
    BusinessCalendar,
    EscalationPath,
    Holiday,
    LevelTarget,
    OnCallOverride,
    OnCallShift,
    OverrideSource,
    PathText,
    Severity,
)

from .factories import (
    BusinessCalendarFactory,
    ContractTargetFactory,
    EngagementCoverageFactory,
    OnCallRotaFactory,
    OnCallShiftFactory,
    raise_flag,
    warsaw,
)

pytestmark = pytest.mark.django_db


def test_the_contract_overrides_the_first_levels_targets_while_valid(engagement, client_key_user):
    ContractTargetFactory(engagement=engagement, severity=Severity.HIGH, valid_until=date(2026, 11, 30))
    flag = raise_flag(engagement, client_key_user)
    # Contract: respond within 2 h, resolve within 12 h (Tuesday 10:00 -> 12:00, and Wednesday 14:00).
    assert flag.ack_due_at == warsaw(2026, 11, 10, 12) and flag.resolve_due_at == warsaw(2026, 11, 11, 14)
    assert (flag.response_target, flag.resolution_target) == (timedelta(hours=2), timedelta(hours=12))
    december = raise_flag(engagement, client_key_user, now=warsaw(2026, 12, 1, 10))
    assert december.response_target == timedelta(hours=4)  # the contract target ended in November


def test_overlapping_contract_targets_are_refused(engagement):
    ContractTargetFactory(engagement=engagement, valid_from=date(2026, 1, 1))
    overlapping = ContractTargetFactory.build(engagement=engagement, valid_from=date(2026, 6, 1))
    with pytest.raises(ValidationError):
        overlapping.full_clean()


def test_a_holiday_moves_the_deadline(engagement, client_key_user):
    calendar = BusinessCalendarFactory()
    services.calendar_seed_holidays(calendar=calendar, years=[2026], country="PL")
    EngagementCoverageFactory(engagement=engagement, calendar=calendar)
    # Tuesday 10 Nov 16:00 + 4 h: Tuesday 1 h, Wednesday 11 Nov is a holiday, Thursday 09:00-12:00.
    flag = raise_flag(engagement, client_key_user, now=warsaw(2026, 11, 10, 16))
    assert flag.ack_due_at == warsaw(2026, 11, 12, 12)


def test_holidays_are_seeded_once_and_bad_countries_are_refused():
    calendar = BusinessCalendarFactory()
    assert services.calendar_seed_holidays(calendar=calendar, years=[2026], country="pl") == 14
    assert services.calendar_seed_holidays(calendar=calendar, years=[2026]) == 0
    assert Holiday.objects.get(calendar=calendar, date=date(2026, 11, 11)).name == "National Independence Day"
    calendar.refresh_from_db()
    assert calendar.country == "PL"
    with pytest.raises(ValidationError, match="No public holidays"):
        services.calendar_seed_holidays(calendar=calendar, years=[2026], country="XX")


def test_around_the_clock_counts_every_hour(engagement, client_key_user):
    EngagementCoverageFactory(engagement=engagement, around_the_clock=True)
    flag = raise_flag(engagement, client_key_user, now=warsaw(2026, 11, 7, 22))  # Saturday night
    assert flag.ack_due_at == warsaw(2026, 11, 8, 2)


def test_a_critical_flag_at_night_goes_to_the_person_on_duty_first(engagement, client_key_user, team_member, pm):
    rota = OnCallRotaFactory()
    OnCallShiftFactory(rota=rota, person=team_member, starts_at=warsaw(2026, 11, 9, 9), ends_at=warsaw(2026, 11, 16, 9))
    EngagementCoverageFactory(engagement=engagement, around_the_clock=True, rota=rota)
    night = raise_flag(engagement, client_key_user, severity=Severity.CRITICAL, now=warsaw(2026, 11, 10, 23))
    assert night.owner == team_member
    from notifications.models import Notification

    told = set(
        Notification.objects.filter(event=f"redflag:{night.pk}:raised:staff", channel="in_app").values_list(
            "recipient__email", flat=True
        )
    )
    assert told == {team_member.email, pm.email}
    # In business hours, or when not critical, the level's people own it as usual.
    assert raise_flag(engagement, client_key_user, severity=Severity.CRITICAL, now=warsaw(2026, 11, 10, 11)).owner == pm
    assert raise_flag(engagement, client_key_user, severity=Severity.HIGH, now=warsaw(2026, 11, 10, 23)).owner == pm


def test_an_absence_on_a_shift_makes_an_override_for_the_backup(team_member, csm, director):
    rota = OnCallRotaFactory(backup=csm)
    OnCallShiftFactory(rota=rota, person=team_member, starts_at=warsaw(2026, 11, 9, 9), ends_at=warsaw(2026, 11, 16, 9))
    StaffAbsence.objects.create(user=team_member, starts_on=date(2026, 11, 11), ends_on=date(2026, 11, 12))
    services.rota_sync_absences(now=warsaw(2026, 11, 1, 0))
    override = OnCallOverride.objects.get()
    assert override.source == OverrideSource.ABSENCE and override.person == csm and override.replaces == team_member
    assert (override.starts_at, override.ends_at) == (warsaw(2026, 11, 11, 0), warsaw(2026, 11, 13, 0))
    assert services.on_duty_at(rota=rota, at=warsaw(2026, 11, 11, 12)) == csm
    assert services.on_duty_at(rota=rota, at=warsaw(2026, 11, 13, 12)) == team_member


def test_saving_an_absence_replans_the_rota_at_once(team_member, csm):
    rota = OnCallRotaFactory(backup=csm)
    now = datetime.now(ZoneInfo("UTC"))
    OnCallShiftFactory(
        rota=rota, person=team_member, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=6)
    )
    day = now.date() + timedelta(days=1)
    absence = staff_absence_record(by=team_member, user=team_member, starts_on=day, ends_on=day + timedelta(days=1))
    assert OnCallOverride.objects.get().person == csm
    staff_absence_cancel(by=team_member, absence=absence)  # cancelled: the cover goes too
    assert not OnCallOverride.objects.exists()


def test_rota_shifts_keep_the_local_handover_across_summer_time(director, pm, csm):
    rota = OnCallRotaFactory(handover_time=time(9))
    shifts = services.rota_add_shifts(rota=rota, by=director, people=[pm, csm], starts_on=date(2026, 3, 23), count=2)
    assert [s.person for s in shifts] == [pm, csm]
    # Monday 23 Mar 09:00 CET = 08:00 UTC; Monday 30 Mar 09:00 CEST = 07:00 UTC.
    assert shifts[0].starts_at == warsaw(2026, 3, 23, 9) and shifts[0].ends_at == warsaw(2026, 3, 30, 9)
    assert shifts[1].starts_at.astimezone(ZoneInfo("UTC")).hour == 7
    with pytest.raises(ValidationError):
        services.rota_add_shifts(rota=rota, by=director, people=[pm], starts_on=date(2026, 3, 25), count=1)
    with pytest.raises(PermissionDenied):
        services.rota_add_shifts(rota=rota, by=pm, people=[pm], starts_on=date(2026, 5, 1), count=1)
    assert OnCallShift.objects.count() == 2


def test_the_shipped_defaults_are_the_ones_defined_here():
    import importlib

    migration = importlib.import_module("escalations.migrations.0002_default_path_and_calendar")
    for name in ("PATH", "LEVELS", "CALENDAR", "WINDOWS", "H"):
        assert getattr(migration, name) == getattr(defaults, name), name
    # Polish came later, in its own migration.
    polish = importlib.import_module("escalations.migrations.0003_default_path_polish")
    assert {**migration.INTRO, "pl": polish.INTRO} == defaults.INTRO
    assert {
        position: {**texts, "pl": polish.LEVEL_TEXTS[position]} for position, texts in migration.LEVEL_TEXTS.items()
    } == defaults.LEVEL_TEXTS
    assert defaults.PATH["name"] == polish.PATH_NAME
    path = EscalationPath.objects.get(is_default=True)
    assert [level.name for level in path.levels.order_by("position")] == [level[1] for level in defaults.LEVELS]
    assert LevelTarget.objects.filter(level__path=path).count() == 12
    for level in [None, *path.levels.all()]:
        texts = PathText.objects.filter(path=path, level=level)
        assert set(texts.values_list("language", flat=True)) == {"en", "pl", "de"}, level


def test_the_defaults_come_back_after_a_flush_and_are_never_doubled():
    from escalations.services.defaults import escalation_defaults_ensure

    escalation_defaults_ensure()
    assert EscalationPath.objects.count() == 1 and BusinessCalendar.objects.count() == 1
    EscalationPath.objects.all().delete()
    BusinessCalendar.objects.all().delete()
    escalation_defaults_ensure()
    assert EscalationPath.objects.get().is_default and BusinessCalendar.objects.get().windows.count() == 5
    # Every language's texts, the introduction and each of the four levels.
    assert set(PathText.objects.values_list("language", flat=True)) == {"de", "en", "pl"}
    assert PathText.objects.count() == 3 * 5


def test_without_any_path_raising_says_so(engagement, client_key_user):
    EscalationPath.objects.all().delete()
    with pytest.raises(ValidationError, match="No escalation path"):
        raise_flag(engagement, client_key_user)


def test_the_admin_pages_work(vendor, engagement, client_key_user, admin_client):
    flag = raise_flag(engagement, client_key_user)
    path = EscalationPath.objects.get()
    calendar = BusinessCalendar.objects.get()
    for url in (
        reverse("admin:escalations_escalationpath_change", args=[path.pk]),
        reverse("admin:escalations_escalationlevel_change", args=[path.levels.first().pk]),
        reverse("admin:escalations_businesscalendar_change", args=[calendar.pk]),
        reverse("admin:escalations_redflag_change", args=[flag.pk]),
        reverse("admin:escalations_redflag_changelist"),
        reverse("admin:escalations_oncallrota_add"),
    ):
        assert admin_client.get(url).status_code == 200, url
    response = admin_client.post(
        reverse("admin:escalations_businesscalendar_changelist"),
        {"action": "seed_holidays", "_selected_action": [calendar.pk]},
    )
    assert response.status_code == 302 and calendar.holidays.count() >= 14
