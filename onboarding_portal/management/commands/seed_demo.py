from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from onboarding_portal import demo


class Command(BaseCommand):
    help = "Create (or complete) the demo data. Safe to run again: nothing is duplicated."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with PRODUCTION=true (a staging copy). Never on a live portal: the demo logins share "
            "one published password, and one of them is an admin.",
        )

    def handle(self, *args, allow_production=False, **options):
        if settings.PRODUCTION and not allow_production:
            raise CommandError(
                "Refusing to seed demo data with PRODUCTION=true: every demo login shares a published password, "
                "one of them is an admin. If this really is a throwaway copy, run it with --allow-production."
            )
        with transaction.atomic():
            world = demo.seed_all()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Log in with any of these:"))
        self.stdout.write(f"  {'email':38} {'role':28} organization")
        for user in world["people"].values():
            self.stdout.write(f"  {user.email:38} {user.get_role_display():28} {user.organization}")
        self.stdout.write(f"  password for every demo login: {demo.DEMO_PASSWORD}")
