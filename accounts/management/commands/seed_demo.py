from django.core.management.base import BaseCommand
from django.db import transaction

from onboarding_portal import demo


class Command(BaseCommand):
    help = "Create (or complete) the demo data. Safe to run again: nothing is duplicated."

    def handle(self, *args, **options):
        with transaction.atomic():
            world = demo.seed_all()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Log in with any of these:"))
        self.stdout.write(f"  {'email':38} {'role':28} organization")
        for user in world["people"].values():
            self.stdout.write(f"  {user.email:38} {user.get_role_display():28} {user.organization}")
        self.stdout.write(f"  password for every demo login: {demo.DEMO_PASSWORD}")
