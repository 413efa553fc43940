import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being prepared")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


ACTIVE_STATUSES = (ExportStatus.QUEUED, ExportStatus.RUNNING)


def export_storage_path(instance, filename):
    # Server-made path: nothing of the client's name reaches the file system.
    return f"client-exports/{instance.pk.hex}.zip"


class ClientDataExportQuerySet(models.QuerySet):
    def due(self, now):
        """Exports a worker should build now: queued ones (their kick may be lost) and running ones whose worker's
        lease ended (it died)."""
        return self.filter(
            models.Q(status=ExportStatus.QUEUED) | models.Q(status=ExportStatus.RUNNING, lease_until__lte=now)
        )


class ClientDataExport(models.Model):
    """Everything of one client organization, as a ZIP of JSON and CSV with a manifest, built in the background
    and downloadable by those who may export the client's data (``client_data.policy``) until ``expires_at``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="data_exports", verbose_name=_("client")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True, db_index=True)
    file = models.FileField(upload_to=export_storage_path, max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True, db_index=True)

    objects = ClientDataExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("client data export")
        verbose_name_plural = _("client data exports")
        constraints = [
            # A double click, or a second person asking while one is being built, gets the one in progress.
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="client_data_export_one_active_per_client",
            ),
        ]

    def __str__(self):
        return f"{self.organization} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def file_name(self) -> str:
        return f"{self.organization.slug}-data-{self.created_at:%Y%m%d-%H%M}.zip"
