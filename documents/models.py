"""Documents the vendor delivers to the client (specifications, manuals...), each with its versions, and the key
user's acknowledgement of receipt of each version.

A version is uploaded as a draft and published; the client sees published versions only. The latest published
version is the one waiting for acknowledgement: a newer one supersedes it (its reminder is withdrawn), while the
earlier versions stay listed and downloadable.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagements.policy import ScopedQuerySet


class DocumentKind(models.TextChoices):
    SPECIFICATION = "specification", _("Specification")
    USER_MANUAL = "user_manual", _("User manual")
    ARCHITECTURE = "architecture", _("Architecture")
    TEST_PLAN = "test_plan", _("Test plan")
    OTHER = "other", _("Other")


class DocumentQuerySet(ScopedQuerySet):
    # A document exists for the client once one of its versions is delivered.
    client_visible_filter = Q(published_versions__gt=0)


class Document(models.Model):
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="documents", verbose_name=_("engagement")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    description = models.TextField(_("description"), blank=True)
    # Kept by the services (how many versions are published), so the client's filter needs no join.
    published_versions = models.PositiveIntegerField(_("published versions"), default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.title


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class DocumentVersionQuerySet(ScopedQuerySet):
    engagement_path = "document__engagement"
    client_visible_filter = Q(status=VersionStatus.PUBLISHED)

    def published(self):
        return self.filter(status=VersionStatus.PUBLISHED)


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    label = models.CharField(_("version"), max_length=40, help_text=_("As the document names it, e.g. 1.0 or 2026-11."))
    attachment = models.ForeignKey(
        "attachments.Attachment", on_delete=models.PROTECT, related_name="+", verbose_name=_("file")
    )
    notes = models.TextField(_("notes"), blank=True, help_text=_("What is new in this version."))
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = DocumentVersionQuerySet.as_manager()

    class Meta:
        ordering = ["document", "-uploaded_at", "-pk"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "label"], name="document_version_label_unique"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False), name="document_version_published_at"
            ),
        ]

    def __str__(self):
        return f"{self.document} {self.label}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class AcknowledgementQuerySet(ScopedQuerySet):
    engagement_path = "version__document__engagement"


class DocumentAcknowledgement(models.Model):
    """The key user confirms they received this version: once per version and person (a second click is a no-op)."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("acknowledged at"), default=timezone.now)

    objects = AcknowledgementQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("acknowledgement of receipt")
        verbose_name_plural = _("acknowledgements of receipt")
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="document_acknowledgement_once")]

    def __str__(self):
        return f"{self.version} ✓ {self.user}"
