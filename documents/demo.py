"""Demo documents for seed_demo: for each engagement under way, a user manual delivered in two versions (the key user
acknowledged the first; the second waits) and an architecture overview with one acknowledged version. Idempotent:
an engagement with documents is left alone."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from engagements import policy

from . import services
from .models import Document

DOCUMENTS = [
    ("User manual: warehouse app", "user_manual", ["1.0", "1.1"], 1),
    ("Architecture overview", "architecture", ["1.0"], 1),
]


def seed(world):
    for engagement in world.get("engagements", {}).values():
        if engagement.kickoff_on is None or engagement.pm is None:
            continue
        if Document.objects.filter(engagement=engagement).exists():
            continue
        _documents(engagement)
    return world


def _documents(engagement):
    now = timezone.now()
    pm = engagement.pm
    key_user = policy.key_user_of(engagement)
    for title, kind, labels, acknowledged in DOCUMENTS:
        created = now - timedelta(days=20)
        document = services.document_create(by=pm, engagement=engagement, title=title, kind=kind, now=created)
        for index, label in enumerate(labels):
            at = created + timedelta(days=7 * index + 1)
            upload = SimpleUploadedFile(
                f"{kind}-{label}.txt", f"{title}, version {label}.\n".encode(), content_type="text/plain"
            )
            version = services.version_add(
                by=pm, document=document, label=label, upload=upload, notes=f"Version {label}.", now=at
            )
            services.version_publish(by=pm, version=version, now=at)
            if key_user is not None and index < acknowledged:
                services.version_acknowledge(by=key_user, version=version, now=at + timedelta(days=1))
