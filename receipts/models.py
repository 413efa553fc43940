"""A receipt: the record of one client decision (who, when, how signed in, from where, the digest of exactly what
was decided on) and the Ed25519 signature made over it when it was written."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from engagements.policy import ScopedQuerySet


class ReceiptQuerySet(ScopedQuerySet):
    # The client's people and the engagement's staff (``policy.engagement_filter``); another client's is a 404.
    engagement_path = "engagement"


class Receipt(models.Model):
    # Unguessable: it names the receipt in its URL and in the signed JSON.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="receipts")
    # What was decided: the deciding app's kind (``receipts.registry``) and the id of its decision record.
    kind = models.CharField(_("kind"), max_length=60)
    object_id = models.CharField(max_length=40)
    decision = models.CharField(_("decision"), max_length=20)
    subject = models.CharField(_("decided on"), max_length=300)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"))
    # How they had signed in ("password", "mfa", "socialaccount"), comma-separated, as the session recorded it.
    authenticated_by = models.CharField(_("signed in with"), max_length=100)
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    digest = models.CharField(_("SHA-256 of the content"), max_length=64)
    # The signed body (``services.receipt_body``) as it was signed, and the signature over its canonical JSON.
    body = models.JSONField()
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=120)

    objects = ReceiptQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("decision receipt")
        verbose_name_plural = _("decision receipts")
        indexes = [models.Index(fields=["kind", "object_id"], name="receipt_decision")]
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="receipt_once_per_decision")]

    def __str__(self):
        return f"{self.kind} {self.object_id} ({self.decision})"
