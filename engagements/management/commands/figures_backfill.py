"""Compute the maintained dashboard figures of every engagement (``engagements.figures``): after deploying them,
or to check them. The daily tick and the pages fill missing rows too; this does it at once, in batches."""

from django.core.management.base import BaseCommand
from django.db import transaction

from engagements.figures import figures_refresh
from engagements.models import Engagement


class Command(BaseCommand):
    help = "Recompute every engagement's maintained dashboard figures."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, batch, **options):
        ids = list(Engagement.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch):
            with transaction.atomic():
                figures_refresh(ids[start : start + batch])
        self.stdout.write(f"{len(ids)} engagements' figures computed.")
