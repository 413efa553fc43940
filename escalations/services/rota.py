"""On-call rotas: shifts made from a list of people with the rota's handover time, and the overrides that staff
absences make (the rota's backup covers an absent person's shift; nobody, when the backup is away too)."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StaffAbsence, User
from engagements import policy

from ..models import OnCallOverride, OnCallRota, OnCallShift, OverrideSource


def _handover(rota: OnCallRota, day: date) -> datetime:
    # The local handover time, DST-safe: built from the local date, stored as UTC.
    return datetime.combine(day, rota.handover_time, tzinfo=ZoneInfo(rota.time_zone)).astimezone(ZoneInfo("UTC"))


@transaction.atomic
def rota_add_shifts(
    *, rota: OnCallRota, by: User, people: list[User], starts_on: date, count: int, days_per_shift: int = 7
) -> list[OnCallShift]:
    """``count`` consecutive shifts from ``starts_on``'s handover, ``days_per_shift`` days each, the people taking
    turns in the order given. Directors and admins plan rotas."""
    if not policy.oversees(by):
        raise PermissionDenied
    if not people or any(not policy.is_staff(person) for person in people):
        raise ValidationError(_("Choose vendor staff for the rota."))
    if not 1 <= count <= 520 or not 1 <= days_per_shift <= 31:
        raise ValidationError(_("Plan between 1 and 520 shifts of 1 to 31 days."))
    shifts = [
        OnCallShift(
            rota=rota,
            person=people[n % len(people)],
            starts_at=_handover(rota, starts_on + timedelta(days=n * days_per_shift)),
            ends_at=_handover(rota, starts_on + timedelta(days=(n + 1) * days_per_shift)),
        )
        for n in range(count)
    ]
    if OnCallShift.objects.filter(
        rota=rota, starts_at__lt=shifts[-1].ends_at, ends_at__gt=shifts[0].starts_at
    ).exists():
        raise ValidationError(_("The rota already has shifts in that period."))
    OnCallShift.objects.bulk_create(shifts)
    rota_sync_absences(person_ids={person.pk for person in people})
    return shifts


def _absence_span(absence, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """An absence is whole local days, from the first day's midnight to the midnight after the last."""
    starts = datetime.combine(absence.starts_on, datetime.min.time(), tzinfo=zone)
    ends = datetime.combine(absence.ends_on + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return starts.astimezone(ZoneInfo("UTC")), ends.astimezone(ZoneInfo("UTC"))


@transaction.atomic
def rota_sync_absences(*, person_ids=None, now=None, without=()) -> int:
    """Make the absence overrides match the absences: one override per (absence, shift) overlap that has not
    ended, covered by the rota's backup. Called whenever an absence or a rota changes. ``without``: ids of
    absences to leave out (one being cancelled, whose row is deleted after the hook). Returns the number of
    overrides made."""
    now = now or timezone.now()
    shifts = OnCallShift.objects.filter(ends_at__gt=now).select_related("rota", "rota__backup")
    stale = OnCallOverride.objects.filter(source=OverrideSource.ABSENCE, ends_at__gt=now)
    if person_ids is not None:
        shifts = shifts.filter(person_id__in=person_ids)
        stale = stale.filter(replaces_id__in=person_ids)
    shifts = list(shifts)
    since = (now - timedelta(days=1)).date()  # absences that have not ended (in any zone)
    absences = list(
        StaffAbsence.objects.filter(user_id__in={s.person_id for s in shifts}, ends_on__gte=since).exclude(
            pk__in=without
        )
    )
    wanted = []
    # Every absence of each backup: a backup away twice is away both times.
    backups_away = defaultdict(list)
    backups = {s.rota.backup_id for s in shifts if s.rota.backup_id}
    for away in StaffAbsence.objects.filter(user_id__in=backups, ends_on__gte=since).exclude(pk__in=without):
        backups_away[away.user_id].append(away)
    for shift in shifts:
        zone = ZoneInfo(shift.rota.time_zone)
        for absence in absences:
            if absence.user_id != shift.person_id:
                continue
            away_from, away_until = _absence_span(absence, zone)
            starts, ends = max(away_from, shift.starts_at, now), min(away_until, shift.ends_at)
            if ends <= starts:
                continue
            backup = shift.rota.backup
            if backup is not None and (backup.pk == shift.person_id or not backup.is_active):
                backup = None
            if backup is not None and any(
                b_from < ends and starts < b_until
                for b_from, b_until in (_absence_span(away, zone) for away in backups_away.get(backup.pk, ()))
            ):
                backup = None
            wanted.append(
                OnCallOverride(
                    rota=shift.rota,
                    person=backup,
                    replaces_id=shift.person_id,
                    starts_at=starts,
                    ends_at=ends,
                    # The source says it is an absence; the absence's own note, if any, says more.
                    reason=absence.note[:200],
                    source=OverrideSource.ABSENCE,
                    absence_id=absence.pk,
                    created_at=now,
                )
            )
    stale.delete()
    OnCallOverride.objects.bulk_create(wanted)
    return len(wanted)


def rota_absence_changed(*, absence, deleted: bool = False, now) -> None:
    """An ``accounts.hooks.on_absence_changed`` reaction: re-plan the overrides of the absent person's shifts,
    and of the shifts whose rota has them as backup (an absent backup covers nobody), in the absence's
    transaction."""
    person_ids = {absence.user_id} | set(
        OnCallShift.objects.filter(rota__backup_id=absence.user_id, ends_at__gt=now).values_list("person_id", flat=True)
    )
    rota_sync_absences(person_ids=person_ids, now=now, without=[absence.pk] if deleted else ())


def on_duty_at(*, rota: OnCallRota, at: datetime) -> User | None:
    """Who is on duty at an instant: the latest override covering it, else the shift."""
    override = (
        OnCallOverride.objects.filter(rota=rota, starts_at__lte=at, ends_at__gt=at)
        .select_related("person")
        .order_by("-created_at", "-pk")
        .first()
    )
    if override is not None:
        return override.person
    shift = OnCallShift.objects.filter(rota=rota, starts_at__lte=at, ends_at__gt=at).select_related("person").first()
    return shift.person if shift else None


__all__ = ["on_duty_at", "rota_absence_changed", "rota_add_shifts", "rota_sync_absences"]
