"""Demo red flags for seed_demo: a business calendar with Polish holidays, a 24/7 engagement with an on-call rota, a
contract target, and flags at every state (open, acknowledged, waiting on the client, action plan agreed, resolved,
closed, reopened, a duplicate), one of them already escalated twice. Everything goes through the services with
times in the past, so timelines, deadlines and notifications are what real use would have made.

Idempotent: each flag is keyed on its title within its engagement; calendars, rotas and targets on their names."""

from datetime import date, time, timedelta

from django.utils import timezone

from . import services
from .models import (
    BusinessCalendar,
    ContractTarget,
    EngagementCoverage,
    OnCallRota,
    RedFlag,
    Severity,
    StepSide,
)
from .services.defaults import escalation_defaults_ensure

ROTA_NAME = "Northwind 24/7 line"
ESCALATED_TWICE = "Loyalty app down at night: no points booked"


def _exists(engagement, title) -> bool:
    return RedFlag.objects.filter(engagement=engagement, title=title).exists()


def seed(world):
    people, engagements = world["people"], world["engagements"]
    now = timezone.now()
    person = people.__getitem__
    acme, loyalty = engagements["acme-logistics"], engagements["globex-retail-2"]
    calendar = _calendar(now)
    EngagementCoverage.objects.get_or_create(engagement=acme, defaults={"calendar": calendar})
    rota = _rota(world, now)
    EngagementCoverage.objects.update_or_create(
        engagement=loyalty, defaults={"calendar": calendar, "around_the_clock": True, "rota": rota}
    )
    ContractTarget.objects.get_or_create(
        engagement=acme,
        severity=Severity.HIGH,
        valid_from=date(now.year, 1, 1),
        defaults={
            "acknowledge_within": timedelta(hours=2),
            "resolve_within": timedelta(hours=16),
            "note": "Managed-service contract, schedule 3",
        },
    )
    _escalated_twice(loyalty, person("keyuser@globex.example"), person("director@northwind.example"), now)
    _flags_at_every_state(acme, person, now)
    flagged = [acme, loyalty]
    baltyk = engagements.get("baltyk-energia")
    if baltyk is not None:
        EngagementCoverage.objects.get_or_create(engagement=baltyk, defaults={"calendar": calendar})
        _polish_flags(baltyk, person, now)
        flagged.append(baltyk)
    world["red_flags"] = list(RedFlag.objects.filter(engagement__in=flagged))
    return world


def _calendar(now) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.filter(is_default=True).first()
    if calendar is None:
        escalation_defaults_ensure()
        calendar = BusinessCalendar.objects.get(is_default=True)
    if not calendar.country:
        calendar.country = "PL"
        calendar.save(update_fields=["country"])
    services.calendar_seed_holidays(calendar=calendar, years=[now.year, now.year + 1], country="PL")
    return calendar


def _rota(world, now) -> OnCallRota:
    people = world["people"]
    rota, created = OnCallRota.objects.get_or_create(
        name=ROTA_NAME,
        defaults={
            "time_zone": "Europe/Warsaw",
            "handover_time": time(9),
            "backup": people["csm.ben@northwind.example"],
        },
    )
    if created:
        services.rota_add_shifts(
            rota=rota,
            by=people["director@northwind.example"],
            people=[
                people[e]
                for e in ("pm.petra@northwind.example", "pm.omar@northwind.example", "dev.lena@northwind.example")
            ],
            starts_on=timezone.localdate(now) - timedelta(days=timezone.localdate(now).weekday()),
            count=8,
        )
    return rota


def _escalated_twice(engagement, reporter, director, now):
    """A critical flag on the 24/7 engagement that nobody acknowledged in time twice: it climbed to the delivery
    director, who then took it."""
    if _exists(engagement, ESCALATED_TWICE):
        return
    raised_at = now - timedelta(hours=5)
    flag = services.flag_raise(
        engagement=engagement,
        by=reporter,
        title=ESCALATED_TWICE,
        description="Since 01:00 no loyalty points are booked for purchases; customers complain at the tills.",
        category="quality",
        severity=Severity.CRITICAL,
        now=raised_at,
    )
    # Around the clock, a critical flag is to be acknowledged within the hour at each level: sweep as the beat
    # would have, just after each deadline (only this flag is due then).
    for _ in range(2):
        flag.refresh_from_db()
        services.escalation_sweep(now=flag.ack_due_at + timedelta(seconds=1))
    flag.refresh_from_db()
    taken_at = flag.level_entered_at + timedelta(minutes=20)
    services.flag_acknowledge(flag=flag, by=director, expected_level=flag.level, now=taken_at)
    services.flag_post_update(
        flag=flag,
        by=director,
        body=(
            "The booking queue stalled after the 00:30 deployment. We are rolling it back; next update within the hour."
        ),
        now=taken_at + timedelta(minutes=5),
    )


def _flags_at_every_state(engagement, person, now):
    key_user, member = person("keyuser@acme.example"), person("it@acme.example")
    pm, csm = person("pm.petra@northwind.example"), person("csm.anna@northwind.example")

    def raise_(title, description, *, hours_ago, severity=Severity.NORMAL, category="quality", by=key_user):
        return services.flag_raise(
            engagement=engagement,
            by=by,
            title=title,
            description=description,
            category=category,
            severity=severity,
            now=now - timedelta(hours=hours_ago),
        )

    title = "Pick lists print without bin locations"
    if not _exists(engagement, title):
        raise_(title, "Since this morning's release the pick lists in Site 2 have empty bin columns.", hours_ago=0.5)

    title = "Weekly stock report arrives late"
    if not _exists(engagement, title):
        flag = raise_(title, "The Monday stock report came at 14:00 instead of 07:00, twice now.", hours_ago=3)
        services.flag_acknowledge(flag=flag, by=pm, now=now - timedelta(hours=2, minutes=30))

    title = "Returns are booked to the wrong warehouse"
    if not _exists(engagement, title):
        flag = raise_(
            title, "Returned goods from Poznań appear in Site 3's stock.", hours_ago=26, severity=Severity.HIGH
        )
        services.flag_acknowledge(flag=flag, by=pm, now=now - timedelta(hours=25))
        services.flag_pause(
            flag=flag,
            by=pm,
            reason="Please send three return numbers from last week and who booked them, so we can trace the rule.",
            now=now - timedelta(hours=24),
        )

    title = "Scanner app logs warehouse staff out every hour"
    if not _exists(engagement, title):
        flag = raise_(
            title,
            "The handheld scanner app logs people out mid-pick; they lose the open pick list.",
            hours_ago=50,
            severity=Severity.HIGH,
            category="quality",
            by=member,
        )
        _agreed_plan(
            flag,
            pm=pm,
            key_user=key_user,
            now=now,
            hours_ago=48,
            vendor_step=(
                "Raise the session timeout on the scanner profile to 10 hours",
                1,
                "Pickers keep losing work; picking slows by about 15 %.",
            ),
            client_step=(
                "Confirm the shift pattern of the scanner users (who works past 18:00)",
                2,
                "The new timeout may not cover the late shift.",
            ),
        )

    title = "Label printer in Site 1 prints blank labels"
    if not _exists(engagement, title):
        flag = raise_(title, "Every third label comes out blank on the Zebra printer at dock 4.", hours_ago=30)
        services.flag_acknowledge(flag=flag, by=pm, now=now - timedelta(hours=29))
        services.flag_resolve(
            flag=flag,
            by=pm,
            resolution="The printer driver template had a wrong label height; corrected and tested with 200 labels.",
            now=now - timedelta(hours=1),
        )

    title = "Invoice export missed two customers"
    if not _exists(engagement, title):
        flag = raise_(
            title, "Customers 4411 and 4420 were not in the October export.", hours_ago=240, category="billing"
        )
        services.flag_acknowledge(flag=flag, by=csm, now=now - timedelta(hours=238))
        services.flag_resolve(
            flag=flag,
            by=csm,
            resolution="Both were missing a tax ID; added, export re-run.",
            now=now - timedelta(hours=200),
        )
        services.flag_confirm(flag=flag, by=key_user, now=now - timedelta(hours=199))

    title = "Dock scheduling screen is slow again"
    if not _exists(engagement, title):
        flag = raise_(title, "Opening the dock schedule takes over 30 seconds.", hours_ago=120, category="quality")
        services.flag_acknowledge(flag=flag, by=pm, now=now - timedelta(hours=119))
        services.flag_resolve(
            flag=flag, by=pm, resolution="Index added to the slot table.", now=now - timedelta(hours=100)
        )
        services.flag_reopen(
            flag=flag,
            by=key_user,
            reason="Fast for a day, slow again since Monday morning.",
            now=now - timedelta(hours=4),
        )

    title = "Pick lists in Site 2 have no bins"
    if not _exists(engagement, title):
        original = RedFlag.objects.get(engagement=engagement, title="Pick lists print without bin locations")
        flag = raise_(title, "Our pickers see no bin numbers on today's lists.", hours_ago=0.25, by=member)
        services.flag_mark_duplicate(flag=flag, of=original, by=key_user, now=now - timedelta(minutes=10))


def _polish_flags(engagement, person, now):
    """The Polish client's red flags, written in Polish by its people and ours: one just raised, one acknowledged
    with an update, one with an action plan agreed on both sides."""
    key_user, member = person("keyuser@baltyk.example"), person("it@baltyk.example")
    pm = person("pm.petra@northwind.example")
    title = "Zgłoszenia awarii z aplikacji mobilnej nie trafiają do dyspozytorów"
    if not _exists(engagement, title):
        services.flag_raise(
            engagement=engagement,
            by=key_user,
            title=title,
            description="Od dzisiejszego wdrożenia zgłoszenia wysłane z aplikacji nie pojawiają się na liście "
            "dyspozytorów; odbiorcy dzwonią na infolinię.",
            category="quality",
            severity=Severity.HIGH,
            now=now - timedelta(hours=1),
        )
    title = "Raport dobowy o przerwach w dostawach przychodzi z opóźnieniem"
    if not _exists(engagement, title):
        flag = services.flag_raise(
            engagement=engagement,
            by=member,
            title=title,
            description="Raport za poprzednią dobę przyszedł o 11:00 zamiast o 6:00, już drugi raz w tym tygodniu.",
            category="quality",
            severity=Severity.NORMAL,
            now=now - timedelta(hours=6),
        )
        services.flag_acknowledge(flag=flag, by=pm, now=now - timedelta(hours=5))
        services.flag_post_update(
            flag=flag,
            by=pm,
            body="Nocne zadanie eksportu czeka na kopię zapasową bazy. Przesuwamy je na 4:00 i sprawdzimy jutro rano.",
            now=now - timedelta(hours=4),
        )
    title = "Mapa sieci w systemie awarii nie pokazuje nowych stacji transformatorowych"
    if not _exists(engagement, title):
        flag = services.flag_raise(
            engagement=engagement,
            by=key_user,
            title=title,
            description="Stacje oddane do użytku w tym miesiącu nie są widoczne na mapie, więc ekipy dostają "
            "niepełne trasy dojazdu.",
            category="quality",
            severity=Severity.HIGH,
            now=now - timedelta(hours=30),
        )
        _agreed_plan(
            flag,
            pm=pm,
            key_user=key_user,
            now=now,
            hours_ago=28,
            vendor_step=(
                "Uzupełnić import danych GIS o nowe stacje i uruchomić go ponownie",
                1,
                "Ekipy tracą czas na szukanie stacji w terenie.",
            ),
            client_step=(
                "Przekazać aktualny eksport stacji z systemu GIS",
                1,
                "Bez eksportu import znów pominie nowe stacje.",
            ),
        )


def _agreed_plan(flag, *, pm, key_user, now, hours_ago, vendor_step, client_step):
    """The PM acknowledges the flag, an hour later writes one step for each side (``hours_ago``) and another hour
    later agrees the plan. A step is (title, due in days, risk)."""
    services.flag_acknowledge(flag=flag, by=pm, now=now - timedelta(hours=hours_ago + 1))
    today = timezone.localdate(now)
    for side, owner, (title, days, risk) in (
        (StepSide.VENDOR, pm, vendor_step),
        (StepSide.CLIENT, key_user, client_step),
    ):
        services.step_add(
            flag=flag,
            by=pm,
            title=title,
            owner_side=side,
            owner=owner,
            due_on=today + timedelta(days=days),
            risk=risk,
            now=now - timedelta(hours=hours_ago),
        )
    services.plan_agree(flag=flag, by=pm, now=now - timedelta(hours=hours_ago - 1))
