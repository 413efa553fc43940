"""Demo clients and engagements for seed_demo, at different phases with realistic checklists
(some items overdue). Idempotent: keyed on (client, name); a checklist is built only once."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import AbsenceReason, StaffAbsence
from accounts.services import staff_absence_record

from .models import (
    BillingRecord,
    ClientProfile,
    Engagement,
    EngagementMember,
    Handoff,
    Integration,
    Milestone,
    Phase,
    Promise,
    Stakeholder,
)

PROFILES = {
    "acme-logistics": (
        "Logistics",
        "Warehouse operations: 3 sites, SAP S/4HANA for finance, in-house WMS. Change freeze 15-31 Dec. "
        "The key user prefers Teams calls before 10:00.",
    ),
    "globex-retail": ("Retail", "Shopify Plus storefront, Klarna payments, DHL courier integration."),
    "initech-finance": ("Financial services", "Regulated: every change needs a ticket in their ServiceNow."),
    "baltyk-energia": (
        "Energetyka",
        "Operator sieci dystrybucyjnej na Pomorzu: SAP IS-U, system awarii własnej produkcji, 40 ekip terenowych. "
        "Okno zmian tylko we wtorki 22:00-02:00.",
    ),
}
# The language of each client's content (checklists, meetings, red flags): the Polish client's is Polish.
CONTENT_LANGUAGES = {"baltyk-energia": "pl"}

# slug, name, phase, csm, pm, deputy, days since kickoff (None: not yet), items done per stage
PLANS = [
    ("acme-logistics", "Warehouse platform rollout", Phase.ONBOARDING, "csm.anna", "pm.petra", "pm.omar", 12, 1),
    ("globex-retail", "E-commerce support onboarding", Phase.KICKOFF, "csm.ben", "pm.omar", "pm.petra", 2, 1),
    ("initech-finance", "Finance reporting managed service", Phase.HANDOFF, "csm.anna", None, None, None, 0),
    ("globex-retail", "Loyalty app maintenance", Phase.LIVE, "csm.ben", "pm.petra", "pm.omar", 45, 99),
    ("baltyk-energia", "Wdrożenie obsługi systemu awarii", Phase.ONBOARDING, "csm.anna", "pm.petra", "pm.omar", 26, 1),
]

# The texts of a new demo engagement, in its client's language.
TEXTS = {
    "en": {
        "description": "Onboarding of {client}.",
        "problem": "Outages in peak season cost orders and trust.",
        "success_measures": "99.5% availability; P1 response within 30 minutes.",
        "stakeholder_notes": "The COO sponsors; the key user decides day to day.",
        "concerns": "Worried about knowledge transfer from the previous vendor.",
        "working_style": "Short weekly calls, decisions by email.",
        "political_dynamics": "The CFO preferred another bidder; win him with early results.",
        "promise": "Dedicated Slack channel with the delivery team",
        "key_user_title": "Head of IT operations",
        "key_user_involvement": "Decides on scope and accepts stages",
        "key_user_cares_about": "Stable peak season; no surprises.",
        "sponsor": ("Chief Operating Officer", "COO"),
        "early_win": "First tickets resolved by the new team",
        "work_plan": "Work plan accepted",
        "blockers": "Waiting for API credentials",
    },
    "pl": {
        "description": "Wdrożenie klienta {client}.",
        "problem": "Awarie systemu zgłoszeń w czasie burz opóźniają wyjazdy ekip i budzą skargi odbiorców.",
        "success_measures": "Dostępność 99,5%; reakcja na zgłoszenie krytyczne w ciągu 30 minut.",
        "stakeholder_notes": (
            "Sponsorem jest członek zarządu ds. operacyjnych; na co dzień decyduje kluczowy użytkownik."
        ),
        "concerns": "Obawy o przekazanie wiedzy od poprzedniego dostawcy.",
        "working_style": "Krótkie cotygodniowe rozmowy, decyzje mailowo.",
        "political_dynamics": "Dyrektor finansowy wolał innego oferenta; przekonajmy go szybkimi wynikami.",
        "promise": "Osobny kanał w Teams z zespołem realizacji",
        "key_user_title": "Kierownik utrzymania systemów IT",
        "key_user_involvement": "Decyduje o zakresie i akceptuje etapy",
        "key_user_cares_about": "Stabilna praca w sezonie burzowym; żadnych niespodzianek.",
        "sponsor": ("Członek zarządu ds. operacyjnych", "COO"),
        "early_win": "Pierwsze zgłoszenia rozwiązane przez nowy zespół",
        "work_plan": "Plan prac zaakceptowany",
        "blockers": "Czekamy na dane dostępowe do API",
    },
}


def _person(people, handle):
    return people.get(f"{handle}@northwind.example") if handle else None


def seed(world):
    people, clients = world["people"], world["clients"]
    today = timezone.localdate()
    sales = people["sales.sam@northwind.example"]
    engagements = {}
    for slug, (industry, knowledge) in PROFILES.items():
        profile, _ = ClientProfile.objects.get_or_create(
            organization=clients[slug],
            defaults={
                "industry": industry,
                "knowledge_page": knowledge,
                "contract_term_months": 24,
                "contract_signed_on": today - timedelta(days=40),
                "services_in_scope": "Application support, 2nd/3rd line, monthly releases.",
                "commercial_summary": "Fixed monthly fee plus time and materials for change requests.",
                "language": CONTENT_LANGUAGES.get(slug, "en"),
            },
        )
        if not profile.billing_records.exists():
            BillingRecord.objects.create(
                profile=profile, title="Onboarding fee", due_on=today - timedelta(days=20), amount=Decimal("12000")
            )
            BillingRecord.objects.create(
                profile=profile,
                kind="obligation",
                title="Monthly service report",
                due_on=today + timedelta(days=10),
                status="planned",
            )
    for slug, name, phase, csm, pm, deputy, days, done_per_stage in PLANS:
        kickoff = today - timedelta(days=days) if days is not None else None
        engagement, created = Engagement.objects.get_or_create(
            client=clients[slug],
            name=name,
            defaults={
                "phase": phase,
                "csm": _person(people, csm),
                "pm": _person(people, pm),
                "deputy_pm": _person(people, deputy),
                "account_executive": sales,
                "contract_signed_on": today - timedelta(days=(days or 0) + 10),
                "kickoff_on": kickoff,
                "target_go_live_on": today + timedelta(days=90),
                "description": TEXTS[CONTENT_LANGUAGES.get(slug, "en")]["description"].format(
                    client=clients[slug].name
                ),
                "planned_effort_days": Decimal("60"),
                "planned_amount": Decimal("48000"),
            },
        )
        EngagementMember.objects.get_or_create(
            engagement=engagement, user=people["dev.lena@northwind.example"], defaults={"role": "Developer"}
        )
        engagements[slug if slug not in engagements else f"{slug}-2"] = engagement
        if created:
            _build(engagement, people=people, clients=clients, slug=slug, days=days)
            # The checklists seeder builds and progresses the checklist of each new, started engagement.
            if days is not None:
                world.setdefault("new_engagements", []).append((engagement, slug, days, done_per_stage))
    world["engagements"] = engagements
    return world


def seed_cover(world):
    """Omar is away this week: on Globex his deputy Petra acts as PM (the client sees who stands in), with the
    banner "You are standing in for Omar Haddad until ..." and his open items handed over on her My work. Runs
    after the checklists seeder, so that Omar's items are his (a checklist applied while he is away goes to the
    acting PM), and through the service, so that the deputy's notice is scheduled (the beat's sweep sends it)."""
    omar = world["people"]["pm.omar@northwind.example"]
    today = timezone.localdate()
    if not StaffAbsence.objects.filter(user=omar).exists():
        staff_absence_record(
            by=omar,
            user=omar,
            starts_on=today - timedelta(days=1),
            ends_on=today + timedelta(days=4),
            reason=AbsenceReason.HOLIDAY,
            note="Family holiday",
        )
    return world


def _build(engagement, *, people, clients, slug, days):
    """Handoff, promises, people, integrations and milestones for a new demo engagement."""
    now = timezone.now()
    today = timezone.localdate()
    texts = TEXTS[CONTENT_LANGUAGES.get(slug, "en")]
    key_user = next(u for u in people.values() if u.organization_id == clients[slug].pk and u.is_key_user)
    Handoff.objects.create(
        engagement=engagement,
        problem=texts["problem"],
        success_measures=texts["success_measures"],
        stakeholder_notes=texts["stakeholder_notes"],
        concerns=texts["concerns"],
        working_style=texts["working_style"],
        political_dynamics=texts["political_dynamics"],
        handed_over_by=people["sales.sam@northwind.example"],
        recorded_by=engagement.csm,
        handed_over_at=now - timedelta(days=(days or 0) + 3) if days is not None else None,
        meeting_on=today - timedelta(days=(days or 0) + 3),
    )
    Promise.objects.create(
        engagement=engagement,
        description=texts["promise"],
        owner=engagement.csm,
        due_at=now.replace(minute=0, second=0, microsecond=0) + timedelta(days=5),
    )
    Stakeholder.objects.create(
        engagement=engagement,
        user=key_user,
        name=key_user.full_name,
        email=key_user.email,
        role_title=texts["key_user_title"],
        involvement=texts["key_user_involvement"],
        influence="high",
        cares_about=texts["key_user_cares_about"],
        is_key_user=True,
    )
    if slug != "initech-finance":
        Stakeholder.objects.create(
            engagement=engagement, name=texts["sponsor"][0], role_title=texts["sponsor"][1], is_executive_sponsor=True
        )
    if days is None:
        return
    Integration.objects.create(
        engagement=engagement,
        provider={"globex-retail": "DHL Express API", "baltyk-energia": "SAP IS-U"}.get(slug, "SAP S/4HANA"),
        status="testing",
        client_owner=key_user.full_name,
        test_environment_ready=slug == "acme-logistics",
        blockers="" if slug == "acme-logistics" else texts["blockers"],
    )
    kickoff = engagement.kickoff_on
    Milestone.objects.create(
        engagement=engagement,
        title=texts["early_win"],
        due_on=kickoff + timedelta(days=7),
        reached_on=kickoff + timedelta(days=6) if days >= 7 else None,
        is_early_win=True,
    )
    Milestone.objects.create(engagement=engagement, title=texts["work_plan"], due_on=kickoff + timedelta(days=30))
