"""Print a new Ed25519 private key for RECEIPT_SIGNING_KEY (nothing is stored)."""

from django.core.management.base import BaseCommand

from receipts.signing import new_private_key_text


class Command(BaseCommand):
    help = "Print a new Ed25519 private key (base64) for RECEIPT_SIGNING_KEY."

    def handle(self, *args, **options):
        self.stdout.write(new_private_key_text())
