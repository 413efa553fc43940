"""Demo engagements for seed_demo. Idempotent: keyed on (client, name)."""

from datetime import timedelta

from django.utils import timezone

from .models import Engagement, EngagementMember, Phase


def seed(world):
    people, clients = world["people"], world["clients"]
    today = timezone.localdate()
    plans = [
        (
            "acme-logistics",
            "Warehouse platform rollout",
            Phase.ONBOARDING,
            "csm.anna",
            "pm.petra",
            "pm.omar",
            12,
        ),
        (
            "globex-retail",
            "E-commerce support onboarding",
            Phase.KICKOFF,
            "csm.ben",
            "pm.omar",
            "pm.petra",
            2,
        ),
        (
            "initech-finance",
            "Finance reporting managed service",
            Phase.HANDOFF,
            "csm.anna",
            None,
            None,
            None,
        ),
    ]
    engagements = {}
    for slug, name, phase, csm, pm, deputy, days_since_kickoff in plans:
        engagement, _ = Engagement.objects.get_or_create(
            client=clients[slug],
            name=name,
            defaults={
                "phase": phase,
                "csm": people[f"{csm}@northwind.example"],
                "pm": people.get(f"{pm}@northwind.example"),
                "deputy_pm": people.get(f"{deputy}@northwind.example"),
                "contract_signed_on": today - timedelta(days=(days_since_kickoff or 0) + 10),
                "kickoff_on": today - timedelta(days=days_since_kickoff) if days_since_kickoff is not None else None,
                "target_go_live_on": today + timedelta(days=90),
                "description": f"Onboarding of {clients[slug].name}.",
            },
        )
        EngagementMember.objects.get_or_create(
            engagement=engagement,
            user=people["dev.lena@northwind.example"],
            defaults={"role": "Developer"},
        )
        engagements[slug] = engagement
    world["engagements"] = engagements
    return world
