"""Writing quality reports: drafts, publishing (the client's people are told) and recorded corrections.

Only those who manage the engagement (``engagements.policy.may_manage``) write, publish and correct; every function
checks that again whatever view called it.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from attachments.services import attachment_store
from engagements import policy
from engagements.selectors import client_people
from notifications.services import notify

from .models import FIGURES, QualityReport, QualityReportCorrection, ReportStatus

CATEGORY = "quality"
PUBLISHED_TEMPLATE = "quality/email/report_published"


def _apply(report: QualityReport, fields: dict, *, by: User) -> list[str]:
    """Set the known fields given (``upload``: a new file, stored through attachments); returns what changed."""
    unknown = set(fields) - {*FIGURES, "upload"}
    if unknown:
        raise TypeError(f"Unknown quality report fields: {sorted(unknown)}")
    changed = []
    for name, value in fields.items():
        if name == "upload":
            if value:  # no new file: keep the one the report has
                report.attachment = attachment_store(uploaded_file=value, by=by)
                changed.append("attachment")
        elif getattr(report, name) != value:
            setattr(report, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def report_create(*, by: User, engagement, now: datetime | None = None, **fields) -> QualityReport:
    now = now or timezone.now()
    policy.require_manage(by, engagement)
    report = QualityReport(engagement=engagement, created_by=by, created_at=now, updated_at=now)
    _apply(report, fields, by=by)
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_update(*, by: User, report: QualityReport, now: datetime | None = None, **fields) -> QualityReport:
    """Edit a draft. A published report changes only through ``report_correct``, which keeps a record."""
    now = now or timezone.now()
    report = QualityReport.objects.select_for_update().select_related("engagement").get(pk=report.pk)
    policy.require_manage(by, report.engagement)
    if report.is_published:
        raise ValidationError(_("This report is published: correct it and say why, so the client sees what changed."))
    _apply(report, fields, by=by)
    report.updated_at = now
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_publish(*, by: User, report: QualityReport, now: datetime | None = None) -> QualityReport:
    """Share a draft with the client and tell the client's people (once: the event names the report)."""
    now = now or timezone.now()
    report = QualityReport.objects.select_for_update().select_related("engagement").get(pk=report.pk)
    policy.require_manage(by, report.engagement)
    if report.is_published:
        raise ValidationError(_("This report is already published."))
    report.status = ReportStatus.PUBLISHED
    report.published_at = now
    report.published_by = by
    report.updated_at = now
    report.save()
    notify(
        event=f"quality.report_published:{report.pk}",
        recipients=client_people(report.engagement),
        category=CATEGORY,
        template=PUBLISHED_TEMPLATE,
        context={
            "engagement_name": report.engagement.name,
            "period_start_on": report.period_start,
            "period_end_on": report.period_end,
            "pass_rate": str(report.pass_rate),
            "open_defects": report.open_defects,
        },
        target=report,
        url=reverse("portal:quality_report", args=[report.pk]),
        now=now,
    )
    return report


@transaction.atomic
def report_correct(
    *, by: User, report: QualityReport, reason: str, now: datetime | None = None, **fields
) -> QualityReportCorrection:
    """Change a published report and record the change: the client reads the reason and the earlier figures."""
    now = now or timezone.now()
    report = QualityReport.objects.select_for_update().select_related("engagement").get(pk=report.pk)
    policy.require_manage(by, report.engagement)
    if not report.is_published:
        raise ValidationError(_("A draft is edited, not corrected."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the report is corrected: the client reads it with the report.")})
    before = {name: getattr(report, name) for name in FIGURES}
    before["attachment"] = report.attachment.original_name if report.attachment_id else ""
    changed = _apply(report, fields, by=by)
    if not changed:
        raise ValidationError(_("Nothing changed: change a figure, the comment or the file to correct the report."))
    report.updated_at = now
    report.full_clean()
    report.save()
    previous = {name: str(before[name]) for name in changed}
    return QualityReportCorrection.objects.create(
        report=report, reason=reason[:300], previous=previous, corrected_by=by, corrected_at=now
    )
