"""Absence cover: telling a deputy PM when they start standing in for an absent PM, and both when the PM is back.

Each absence gets two reminder rows (``notifications``' reminders engine, registered in ``EngagementsConfig.ready``):
one at the start of the absence, one the day after it ends, both at 08:00 in the absent person's zone (or at once
when the absence is recorded late). Recording, changing or cancelling an absence moves or cancels them
(``accounts.hooks.on_absence_changed``), and each handler checks again when it fires, so a changed absence never
sends a stale notice.

The deputy is told whom they stand in for, until when, and how many open items of the PM's are now theirs (the list
is on their "My work", and a banner on every page says it while it lasts); on the return, the PM is told who stood
in and what is handed back, and the deputy that the cover ended.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffAbsence
from notifications.services import NotifyRequest, notify_many, reminder_cancel, reminder_schedule

from .models import Engagement

START_KIND = "engagements.cover_start"
END_KIND = "engagements.cover_end"
COVER_CATEGORY = "cover"
NOTICE_AT = time(8, 0)


def _keys(absence_pk: int) -> tuple[str, str]:
    return f"absence-cover:{absence_pk}:start", f"absence-cover:{absence_pk}:end"


def _at(day, user, now) -> datetime:
    when = datetime.combine(day, NOTICE_AT).replace(tzinfo=user.zone)
    return max(when, now)


def absence_cover_sync(*, absence, deleted: bool = False, now) -> None:
    """(Re)schedule or cancel the two notices of ``absence`` (an ``accounts.hooks.on_absence_changed`` reaction)."""
    start_key, end_key = _keys(absence.pk)
    today = timezone.localdate(now, absence.user.zone)
    if deleted:
        reminder_cancel(key=start_key)
        reminder_cancel(key=end_key)
        return
    payload = {"starts_on": absence.starts_on.isoformat(), "ends_on": absence.ends_on.isoformat()}
    if absence.starts_on >= today:
        reminder_schedule(
            key=start_key,
            kind=START_KIND,
            due_at=_at(absence.starts_on, absence.user, now),
            target=absence,
            payload=payload,
            now=now,
        )
    elif absence.ends_on >= today:
        # Recorded (or changed) while already under way: the deputy is told now.
        reminder_schedule(key=start_key, kind=START_KIND, due_at=now, target=absence, payload=payload, now=now)
    if absence.ends_on >= today - timedelta(days=1):
        back_on = absence.ends_on + timedelta(days=1)
        reminder_schedule(
            key=end_key, kind=END_KIND, due_at=_at(back_on, absence.user, now), target=absence, payload=payload, now=now
        )


def _covered(absences) -> dict:
    """For each absence: the active engagements where its person is PM and someone is deputy, grouped by deputy,
    with the number of the PM's open checklist items on each (one query)."""
    by_user = {a.user_id for a in absences}
    engagements = (
        Engagement.objects.active()
        .filter(pm_id__in=by_user, deputy_pm__isnull=False, deputy_pm__is_active=True)
        .select_related("client", "deputy_pm", "pm")
        .annotate(
            pm_open_items=Count(
                "stages__items",
                filter=Q(stages__items__assignee_id=F("pm_id"))
                & ~Q(stages__items__status__in=["done", "not_applicable"]),
            )
        )
        .order_by("client__name", "name")
    )
    covered = defaultdict(lambda: defaultdict(list))
    for engagement in engagements:
        covered[engagement.pm_id][engagement.deputy_pm].append(engagement)
    return covered


def _still_as_scheduled(reminder, absence) -> bool:
    return absence is not None and reminder.payload == {
        "starts_on": absence.starts_on.isoformat(),
        "ends_on": absence.ends_on.isoformat(),
    }


def _absences_of(reminders) -> dict:
    ids = [int(r.target_id) for r in reminders if r.target_id]
    return {a.pk: a for a in StaffAbsence.objects.filter(pk__in=ids).select_related("user")}


def notify_cover_start(reminders, *, now):
    """The absence starts: each deputy hears whom they stand in for, until when, and what is theirs meanwhile."""
    absences = _absences_of(reminders)
    live = [absences.get(int(r.target_id)) for r in reminders if _still_as_scheduled(r, absences.get(int(r.target_id)))]
    covered = _covered(live)
    requests = []
    for absence in live:
        for deputy, engagements in covered[absence.user_id].items():
            requests.append(
                NotifyRequest(
                    event=f"engagements.cover_start:{absence.pk}:{absence.starts_on.isoformat()}",
                    recipients=[deputy],
                    category=COVER_CATEGORY,
                    template="engagements/email/cover_start",
                    context={
                        "absent_name": absence.user.full_name,
                        "until_on": absence.ends_on,
                        "engagements": [f"{e.client.name} — {e.name}" for e in engagements],
                        "open_items": sum(e.pm_open_items for e in engagements),
                    },
                    target=absence,
                    url=reverse("portfolio:my_work") + "#checklists-handed-over",
                )
            )
    notify_many(requests, now=now)
    return {r.pk: None for r in reminders}


def notify_cover_end(reminders, *, now):
    """The absence ended: the PM hears who stood in and finds what is handed back on "My work"; the deputy hears
    that the cover ended."""
    absences = _absences_of(reminders)
    live = [absences.get(int(r.target_id)) for r in reminders if _still_as_scheduled(r, absences.get(int(r.target_id)))]
    covered = _covered(live)
    requests = []
    for absence in live:
        deputies = covered[absence.user_id]
        if not deputies:
            continue
        context = {
            "absent_name": absence.user.full_name,
            "from_on": absence.starts_on,
            "until_on": absence.ends_on,
            "deputies": sorted(d.full_name for d in deputies),
            "engagements": sorted(f"{e.client.name} — {e.name}" for es in deputies.values() for e in es),
        }
        event = f"engagements.cover_end:{absence.pk}:{absence.ends_on.isoformat()}"
        requests.append(
            NotifyRequest(
                event=event,
                recipients=[absence.user],
                category=COVER_CATEGORY,
                template="engagements/email/cover_end_pm",
                context=context,
                target=absence,
                url=reverse("portfolio:my_work") + "#checklists-handed-back",
            )
        )
        requests.append(
            NotifyRequest(
                event=event,
                recipients=list(deputies),
                category=COVER_CATEGORY,
                template="engagements/email/cover_end_deputy",
                context=context,
                target=absence,
                url=reverse("portfolio:my_work"),
            )
        )
    notify_many(requests, now=now)
    return {r.pk: None for r in reminders}
