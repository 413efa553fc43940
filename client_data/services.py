"""Client data exports: asked for on the client's page, built by a worker, downloadable for a limited time.

The row is the truth: a kick on commit starts the build at once, and beat's tick builds whatever a lost kick or a
killed worker left (a running export whose lease has ended is built again from the start)."""

import hashlib
import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from engagements import policy
from notifications.bulk import task_kick_on_commit

from .archive import write_archive
from .models import ACTIVE_STATUSES, ClientDataExport, ExportStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


def export_request(*, by, organization) -> ClientDataExport:
    """Ask for an export of ``organization``; while one is queued or being built, that one is returned."""
    if not policy.may_export_client_data(by, organization):
        raise PermissionDenied
    active = ClientDataExport.objects.filter(organization=organization, status__in=ACTIVE_STATUSES)
    try:
        with transaction.atomic():
            export = ClientDataExport.objects.create(organization=organization, requested_by=by)
    except IntegrityError:
        # Another request won the one active slot (the unique constraint); show that one.
        return active.get()
    from . import tasks

    task_kick_on_commit(tasks.build_due)
    return export


def _claim(export_id=None, *, now) -> ClientDataExport | None:
    """Take one due export (``export_id``'s, or any) for this worker with a lease; None if there is none."""
    lease = timedelta(seconds=settings.CLIENT_EXPORT_LEASE_SECONDS)
    with transaction.atomic():
        rows = ClientDataExport.objects.due(now).select_for_update(skip_locked=True).order_by("created_at")
        if export_id is not None:
            rows = rows.filter(pk=export_id)
        export = rows.first()
        if export is None:
            return None
        if export.attempts >= MAX_ATTEMPTS:
            export.status, export.error = ExportStatus.FAILED, _("The export could not be built; ask again.")
            export.save(update_fields=["status", "error"])
            return None
        export.status, export.lease_until, export.attempts = ExportStatus.RUNNING, now + lease, F("attempts") + 1
        export.progress, export.step = 0, ""
        export.save(update_fields=["status", "lease_until", "attempts", "progress", "step"])
    export.refresh_from_db()
    return export


def _progress(export: ClientDataExport, percent: int, step: str) -> None:
    # Its own short write, outside any long transaction, so the page shows it as it happens; the lease goes on.
    lease_until = timezone.now() + timedelta(seconds=settings.CLIENT_EXPORT_LEASE_SECONDS)
    ClientDataExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
        progress=percent, step=step[:100], lease_until=lease_until
    )


def export_build(export_id=None, *, now=None) -> ClientDataExport | None:
    """Build one due export (``export_id``'s, or the oldest due) and store its archive; returns it, or None."""
    now = now or timezone.now()
    export = _claim(export_id, now=now)
    if export is None:
        return None
    try:
        with tempfile.TemporaryFile() as target:
            write_archive(
                target,
                export.organization,
                requested_by=export.requested_by,
                on_progress=lambda percent, step: _progress(export, percent, step),
            )
            target.seek(0)
            digest = hashlib.sha256()
            for chunk in iter(lambda: target.read(1024 * 1024), b""):
                digest.update(chunk)
            size = target.tell()
            target.seek(0)
            old_file = export.file.name
            export.file.save(f"{export.pk.hex}.zip", File(target), save=False)
    except Exception as error:
        logger.exception("client data export %s failed", export.pk)
        ClientDataExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.QUEUED if export.attempts < MAX_ATTEMPTS else ExportStatus.FAILED,
            lease_until=None,
            error=str(error)[:2000],
        )
        return None
    finished = timezone.now()
    with transaction.atomic():
        updated = ClientDataExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
            status=ExportStatus.READY,
            file=export.file.name,
            size=size,
            sha256=digest.hexdigest(),
            progress=100,
            step="",
            error="",
            lease_until=None,
            finished_at=finished,
            expires_at=finished + timedelta(hours=settings.CLIENT_EXPORT_KEEP_HOURS),
        )
    if not updated:  # another worker took it over after our lease ended: its archive counts
        export.file.storage.delete(export.file.name)
        return None
    if old_file and old_file != export.file.name:
        export.file.storage.delete(old_file)
    export.refresh_from_db()
    return export


def exports_build_due(*, now=None, limit: int = 5) -> int:
    """Beat's tick: build what is due (lost kicks, dead workers); returns how many were built."""
    built = 0
    for _n in range(limit):
        if export_build(now=now) is None:
            break
        built += 1
    return built


def exports_expire(*, now=None) -> int:
    """Remove archives past their time; the row stays as the record that an export was made, and by whom."""
    now = now or timezone.now()
    removed = 0
    while True:
        with transaction.atomic():
            batch = list(
                ClientDataExport.objects.filter(status=ExportStatus.READY, expires_at__lte=now)
                .select_for_update(skip_locked=True)
                .order_by("expires_at")[:100]
            )
            if not batch:
                return removed
            for export in batch:
                if export.file:
                    export.file.storage.delete(export.file.name)
            ClientDataExport.objects.filter(pk__in=[e.pk for e in batch]).update(status=ExportStatus.EXPIRED, file="")
            removed += len(batch)


def export_is_downloadable(export: ClientDataExport, *, now=None) -> bool:
    now = now or timezone.now()
    return export.status == ExportStatus.READY and bool(export.file) and export.expires_at > now
