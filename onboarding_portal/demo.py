"""seed_demo runs each app's demo seeder in order; a later seeder builds on the earlier ones."""

from accounts import demo as accounts_demo
from accounts.demo import DEMO_PASSWORD
from checklists import demo as checklists_demo
from documents import demo as documents_demo
from engagements import demo as engagements_demo
from escalations import demo as escalations_demo
from governance import demo as governance_demo
from notifications import demo as notifications_demo
from quality import demo as quality_demo

SEEDERS = [
    engagements_demo.seed,
    checklists_demo.seed,
    engagements_demo.seed_cover,
    escalations_demo.seed,
    governance_demo.seed,
    quality_demo.seed,
    documents_demo.seed,
    notifications_demo.seed,
]

__all__ = ["DEMO_PASSWORD", "seed_all"]


def seed_all():
    world = accounts_demo.seed()
    for seeder in SEEDERS:
        world = seeder(world)
    return world
