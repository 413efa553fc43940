"""Demo governance for seed_demo: the default plan applied to the running engagements from their kickoff, so the
pages show a history: past meetings held with minutes shared (one with a later version), one missed, open action
items on both sides, and meetings ahead. Idempotent: an engagement with a plan is left alone.

The history is written through the services with the clock of each past moment (``now=``), as it would have
happened, so reminders, flags and versions are what the live system would hold.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from engagements.models import PromiseSource
from engagements.services import promise_close, promise_notices, promise_record

from .models import (
    MEETING_SOURCE,
    ActionItem,
    ActionStatus,
    AgendaItem,
    Attendance,
    GovernancePlan,
    Meeting,
    MeetingStatus,
)
from .services import agenda, lifecycle, minutes, plan

# What the meetings' minutes, action items and promises say, in the plan's language (the client's).
TEXTS = {
    "en": {
        "client_actions": [
            "Send the list of warehouse users for the training",
            "Confirm the test window with the night shift",
            "Name a contact for the label printers",
            "Approve the data migration sample",
            "Share the ERP interface specification",
        ],
        "vendor_actions": [
            "Share the cut-over plan draft",
            "Book the training rooms",
            "Send the test environment credentials",
            "Update the risk log",
        ],
        "minutes": "Stage on plan; the test environment is ready. Two items slipped a week.",
        "internal_notes": "The key user is under pressure from the COO; keep updates short.",
        "decision": "Keep the go-live date.",
        "corrected_minutes": (
            "Stage on plan; the test environment is ready. Two items slipped a week (VPN, data export)."
        ),
        "change_note": "Named the two items that slipped",
        "kept_promise": "We send the architecture overview before the next meeting",
        "broken_promise": "We deliver the data migration test report by Friday 12:00",
        "open_promise": "We confirm the go-live checklist with your IT team",
    },
    "pl": {
        "client_actions": [
            "Przesłać listę dyspozytorów na szkolenie",
            "Potwierdzić okno testowe z dyżurem nocnym",
            "Wskazać osobę kontaktową ds. integracji z SAP IS-U",
            "Zatwierdzić próbkę migracji danych",
            "Udostępnić specyfikację interfejsu systemu awarii",
        ],
        "vendor_actions": [
            "Przesłać projekt planu przełączenia",
            "Zarezerwować sale szkoleniowe",
            "Przekazać dane dostępowe do środowiska testowego",
            "Zaktualizować rejestr ryzyk",
        ],
        "minutes": "Etap zgodnie z planem; środowisko testowe jest gotowe. Dwa punkty przesunęły się o tydzień.",
        "internal_notes": "Kluczowy użytkownik jest pod presją zarządu; przekazujmy krótkie informacje.",
        "decision": "Utrzymujemy termin uruchomienia produkcyjnego.",
        "corrected_minutes": (
            "Etap zgodnie z planem; środowisko testowe jest gotowe. Dwa punkty przesunęły się o tydzień "
            "(VPN, eksport danych)."
        ),
        "change_note": "Wskazano dwa opóźnione punkty",
        "kept_promise": "Przed kolejnym spotkaniem prześlemy opis architektury",
        "broken_promise": "Do piątku do 12:00 dostarczymy raport z testu migracji danych",
        "open_promise": "Uzgodnimy z Twoim działem IT listę kontrolną uruchomienia",
    },
}
# slug of the client -> the cadences its engagement runs
PLANS = {
    "acme-logistics": ["weekly-status", "steering", "executive-review-6w"],
    "globex-retail-2": ["weekly-status", "steering", "executive-review-yearly"],
    "baltyk-energia": ["weekly-status", "steering", "executive-review-6w"],
}


def seed(world):
    engagements = world.get("engagements", {})
    for slug, keys in PLANS.items():
        engagement = engagements.get(slug)
        if engagement is None or engagement.kickoff_on is None:
            continue
        if GovernancePlan.objects.filter(engagement=engagement).exists():
            continue
        _history(engagement, keys, world)
    return world


def _history(engagement, keys, world):
    people = world["people"]
    pm = engagement.pm
    kickoff = datetime.combine(engagement.kickoff_on, time(6, 0), tzinfo=timezone.get_current_timezone())
    language = plan.default_language(engagement)
    texts = TEXTS.get(language, TEXTS["en"])
    plan.plan_apply(
        by=pm,
        engagement=engagement,
        cadence_keys=keys,
        time_zone="Europe/Warsaw",
        language=language,
        starts_on=engagement.kickoff_on,
        now=kickoff,
    )
    now = timezone.now()
    past = list(
        Meeting.objects.filter(engagement=engagement, ends_at__lt=now)
        .select_related("series", "engagement")
        .order_by("starts_at")
    )
    key_user = next((u for u in people.values() if u.organization_id == engagement.client_id and u.is_key_user), None)
    weekly = [m for m in past if m.series.cadence_key == "weekly-status"]
    # The last weekly meeting but one was missed: nobody held it, and it is flagged.
    missed = weekly[-2] if len(weekly) >= 3 else None
    for index, meeting in enumerate(past):
        if meeting == missed:
            continue
        at = meeting.starts_at
        agenda.agenda_prepare(meeting=meeting, by=pm, now=at - timedelta(hours=2))
        for attendee in meeting.attendees.all():
            agenda.attendance_set(
                by=pm, attendee=attendee, attendance=Attendance.EXCUSED if index % 4 == 3 else Attendance.ATTENDED
            )
        first = AgendaItem.objects.filter(meeting=meeting, parent=None).order_by("position").first()
        agenda.agenda_item_update(
            by=pm,
            item=first,
            minutes=texts["minutes"],
            internal_notes=texts["internal_notes"],
        )
        agenda.outcome_add(by=pm, item=first, kind="decision", text=texts["decision"], now=at)
        if key_user is not None:
            agenda.outcome_add(
                by=pm,
                item=first,
                kind="action",
                text=texts["client_actions"][index % len(texts["client_actions"])],
                owner=key_user,
                owner_side="client",
                due_on=(at + timedelta(days=5)).date(),
                now=at,
            )
        agenda.outcome_add(
            by=pm,
            item=first,
            kind="action",
            text=texts["vendor_actions"][index % len(texts["vendor_actions"])],
            owner=pm,
            owner_side="vendor",
            due_on=(at + timedelta(days=7)).date(),
            now=at,
        )
        minutes.minutes_publish(by=pm, meeting=meeting, now=min(at + timedelta(hours=3), now))
        if index == 0:
            # A correction a day later: the client sees version 2 and what changed.
            agenda.agenda_item_update(
                by=pm,
                item=first,
                minutes=texts["corrected_minutes"],
            )
            minutes.minutes_publish(
                by=pm,
                meeting=meeting,
                change_note=texts["change_note"],
                now=min(at + timedelta(days=1), now),
            )
    if missed is not None:
        Meeting.objects.filter(pk=missed.pk).update(
            status=MeetingStatus.MISSED, minutes_late_at=lifecycle.minutes_due_at(missed, missed.series)
        )
    # Older action items were done since; the latest ones stay open (on both sides).
    old = ActionItem.objects.filter(engagement=engagement, meeting__starts_at__lt=now - timedelta(days=10))
    old.update(status=ActionStatus.DONE, completed_at=now - timedelta(days=3))
    _promises(engagement, past, now, texts)
    lifecycle.schedule_many(Meeting.objects.filter(engagement=engagement).select_related("series"), now=now)
    # Generated from the kickoff on: top the horizon up from today, as the hourly tick would.
    plan.meetings_top_up(now=now)


def _promises(engagement, past, now, texts):
    """Promises made in the meetings: one kept on time, one broken (past due, marked by the sweep), one open."""
    held = list(Meeting.objects.filter(pk__in=[m.pk for m in past], status=MeetingStatus.HELD).order_by("starts_at"))
    if not held:
        return
    pm, first, last = engagement.pm, held[0], held[-1]
    kept = promise_record(
        by=pm,
        engagement=engagement,
        description=texts["kept_promise"],
        owner=pm,
        due_at=first.starts_at + timedelta(days=2),
        source=MEETING_SOURCE,
        source_object=first,
        now=first.starts_at,
    )
    promise_close(by=pm, promise=kept, status="kept", now=first.starts_at + timedelta(days=1))
    # Three days after the last meeting at 12:00 (Warsaw), or yesterday 12:00 if that is still to come: passed, unkept.
    broken_due = min(
        last.starts_at.replace(hour=11, minute=0) + timedelta(days=3),
        (now - timedelta(days=1)).replace(hour=11, minute=0, second=0, microsecond=0),
    )
    promise_record(
        by=pm,
        engagement=engagement,
        description=texts["broken_promise"],
        owner=pm,
        due_at=broken_due,
        source=MEETING_SOURCE,
        source_object=last,
        now=min(last.starts_at, broken_due - timedelta(days=1)),
    )
    promise_notices.promises_mark_broken(now=now)
    promise_record(
        by=pm,
        engagement=engagement,
        description=texts["open_promise"],
        owner=engagement.csm,
        due_at=now + timedelta(days=4),
        source=PromiseSource.CONVERSATION,
        now=now,
    )
