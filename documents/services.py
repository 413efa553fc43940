"""Delivering documents: new documents and versions (staff who manage the engagement), publishing a version (the
client's people are told, and a reminder row for the key user's acknowledgement is written), the key user's
acknowledgement (once per version and person), and the reminder's handler.

The reminder's due time is a ``notifications.Reminder`` row written in the publishing transaction: it fires once,
``DOCUMENTS_ACK_REMIND_BUSINESS_DAYS`` working days after the publication (counted in the key user's time zone by
the project's one working-day rule, ``engagements.working_days``: no weekends, no public holidays of
``HOLIDAY_COUNTRY``), unless the version was acknowledged or superseded first (acknowledging or
publishing a newer version cancels it, and the handler checks again under the sweep's lock).
"""

import zoneinfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from attachments.services import attachment_store
from engagements import policy
from engagements.selectors import client_people
from engagements.working_days import working_days_later
from notifications.services import NotifyRequest, notify, notify_many, reminder_cancel, reminder_schedule

from .models import Document, DocumentAcknowledgement, DocumentVersion, VersionStatus
from .receipts import document_receipt

CATEGORY = "documents"
PUBLISHED_TEMPLATE = "documents/email/version_published"
REMINDER_TEMPLATE = "documents/email/acknowledgement_due"
ACK_KIND = "documents.acknowledgement"


def ack_reminder_key(version_id: int) -> str:
    return f"documents.ack:{version_id}"


@transaction.atomic
def document_create(*, by: User, engagement, title: str, kind: str, description: str = "", now=None) -> Document:
    now = now or timezone.now()
    policy.require_manage(by, engagement)
    document = Document(
        engagement=engagement,
        title=(title or "").strip(),
        kind=kind,
        description=(description or "").strip(),
        created_by=by,
        created_at=now,
    )
    document.full_clean()
    document.save()
    return document


@transaction.atomic
def version_add(*, by: User, document: Document, label: str, upload, notes: str = "", now=None) -> DocumentVersion:
    """A new version as a draft: the client sees it once it is published."""
    now = now or timezone.now()
    document = Document.objects.select_for_update().select_related("engagement").get(pk=document.pk)
    policy.require_manage(by, document.engagement)
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Name the version, e.g. 1.0.")})
    if document.versions.filter(label=label).exists():
        raise ValidationError({"label": _("This document already has a version %(label)s.") % {"label": label}})
    if not upload:
        raise ValidationError({"upload": _("Choose the file of this version.")})
    version = DocumentVersion(
        document=document,
        label=label,
        attachment=attachment_store(uploaded_file=upload, by=by),
        notes=(notes or "").strip(),
        uploaded_by=by,
        uploaded_at=now,
    )
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def version_publish(*, by: User, version: DocumentVersion, now=None) -> DocumentVersion:
    """Deliver a draft version: the client's people are told; it supersedes the earlier versions for acknowledgement
    (their reminders are withdrawn), and the key user is reminded if it is still unacknowledged after N working
    days."""
    now = now or timezone.now()
    version = DocumentVersion.objects.select_for_update().select_related("document__engagement").get(pk=version.pk)
    document = version.document
    policy.require_manage(by, document.engagement)
    if version.is_published:
        raise ValidationError(_("This version is already published."))
    earlier = list(document.versions.published().values_list("pk", flat=True))
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.published_by = by
    version.save()
    Document.objects.filter(pk=document.pk).update(published_versions=F("published_versions") + 1)
    for pk in earlier:
        reminder_cancel(key=ack_reminder_key(pk), now=now)
    key_user = policy.key_user_of(document.engagement)
    zone = key_user.zone if key_user is not None else zoneinfo.ZoneInfo(settings.TIME_ZONE)
    reminder_schedule(
        key=ack_reminder_key(version.pk),
        kind=ACK_KIND,
        due_at=working_days_later(
            now, settings.DOCUMENTS_ACK_REMIND_BUSINESS_DAYS, zone, country=settings.HOLIDAY_COUNTRY
        ),
        target=version,
        now=now,
    )
    notify(
        event=f"documents.version_published:{version.pk}",
        recipients=client_people(document.engagement),
        category=CATEGORY,
        template=PUBLISHED_TEMPLATE,
        context={
            "title": document.title,
            "label": version.label,
            "engagement_name": document.engagement.name,
            "notes": version.notes,
        },
        target=version,
        url=reverse("portal:document", args=[document.pk]),
        now=now,
    )
    return version


def latest_published(document: Document) -> DocumentVersion | None:
    return document.versions.published().order_by("-published_at", "-pk").first()


def version_acknowledge(
    *, by: User, version: DocumentVersion, now=None, context=None
) -> tuple[DocumentAcknowledgement, bool]:
    """The key user confirms receipt of the latest delivered version. Returns (acknowledgement, created): a second
    acknowledgement of the same version changes nothing. Its signed receipt (the digest of the version's bytes) is
    written in the same transaction (``context``: how they signed in and from where)."""
    now = now or timezone.now()
    version = DocumentVersion.objects.select_related("document__engagement").get(pk=version.pk)
    engagement = version.document.engagement
    if not version.is_published or not policy.may_decide(by, engagement):
        raise PermissionDenied
    existing = DocumentAcknowledgement.objects.filter(version=version, user=by).first()
    if existing is not None:
        return existing, False
    latest = latest_published(version.document)
    if latest is not None and latest.pk != version.pk:
        raise ValidationError(
            _("Version %(label)s was delivered since: acknowledge that one.") % {"label": latest.label}
        )
    try:
        with transaction.atomic():
            acknowledgement = DocumentAcknowledgement.objects.create(version=version, user=by, at=now)
            reminder_cancel(key=ack_reminder_key(version.pk), now=now)
            document_receipt(acknowledgement, context=context)
    except IntegrityError:
        # A double click raced us: the first acknowledgement stands.
        return DocumentAcknowledgement.objects.get(version=version, user=by), False
    return acknowledgement, True


def remind_unacknowledged(reminders, *, now) -> dict:
    """The reminder kind's handler (in the sweep's transaction, on locked rows): remind the key user of each version
    still waiting for acknowledgement, once (the event names the version); every reminder finishes."""
    ids = [int(r.target_id) for r in reminders if r.target_id]
    versions = {
        v.pk: v
        for v in DocumentVersion.objects.filter(pk__in=ids, status=VersionStatus.PUBLISHED).select_related(
            "document__engagement"
        )
    }
    acknowledged = set(
        DocumentAcknowledgement.objects.filter(version_id__in=versions).values_list("version_id", flat=True)
    )
    newer = {
        v.document_id: v.pk
        for v in DocumentVersion.objects.filter(
            document_id__in={v.document_id for v in versions.values()}, status=VersionStatus.PUBLISHED
        ).order_by("document_id", "published_at", "pk")
    }
    key_users = {}
    requests = []
    for reminder in reminders:
        version = versions.get(int(reminder.target_id or 0))
        if version is None or version.pk in acknowledged or newer.get(version.document_id) != version.pk:
            continue
        engagement = version.document.engagement
        if engagement.pk not in key_users:
            key_users[engagement.pk] = policy.key_user_of(engagement)
        key_user = key_users[engagement.pk]
        if key_user is None:
            continue
        requests.append(
            NotifyRequest(
                event=f"documents.acknowledgement_due:{version.pk}",
                recipients=[key_user],
                category=CATEGORY,
                template=REMINDER_TEMPLATE,
                context={
                    "title": version.document.title,
                    "label": version.label,
                    "engagement_name": engagement.name,
                    "published_at": version.published_at,
                },
                target=version,
                url=reverse("portal:document", args=[version.document_id]),
            )
        )
    notify_many(requests, now=now)
    return {reminder.pk: None for reminder in reminders}
