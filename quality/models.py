"""Periodic quality reports the vendor publishes to the client: a period, the test pass rate and the open defects.

A report is written as a draft and published once; the client reads only published reports. A published report is
never silently rewritten: a correction changes it in place and records who corrected what, when and why
(``QualityReportCorrection``), and the client sees that record under the report.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagements.policy import ScopedQuerySet

# What a writer sets on a report (the form's fields, less the file, which comes through attachments); the API
# reads the same.
FIGURES = (
    "period_start",
    "period_end",
    "pass_rate",
    "critical_defects",
    "high_defects",
    "normal_defects",
    "low_defects",
    "comment",
)


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class QualityReportQuerySet(ScopedQuerySet):
    # Drafts are the vendor's until published: to a client they do not exist (404).
    client_visible_filter = Q(status=ReportStatus.PUBLISHED)

    def published(self):
        return self.filter(status=ReportStatus.PUBLISHED)


class QualityReport(models.Model):
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="quality_reports", verbose_name=_("engagement")
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    pass_rate = models.DecimalField(
        _("test pass rate (%)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    critical_defects = models.PositiveIntegerField(_("open critical defects"), default=0)
    high_defects = models.PositiveIntegerField(_("open high defects"), default=0)
    normal_defects = models.PositiveIntegerField(_("open normal defects"), default=0)
    low_defects = models.PositiveIntegerField(_("open low defects"), default=0)
    comment = models.TextField(_("comment"), blank=True)
    attachment = models.ForeignKey(
        "attachments.Attachment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attachment"),
    )
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = QualityReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "-pk"]
        verbose_name = _("quality report")
        verbose_name_plural = _("quality reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_rate__gte=0, pass_rate__lte=100),
                name="quality_report_pass_rate_percent",
                violation_error_message=_("The test pass rate is a percentage between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="quality_report_period_order",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="quality_report_published_at",
            ),
        ]
        indexes = [models.Index(fields=["engagement", "status", "-period_end"], name="quality_report_list")]

    def __str__(self):
        return f"{self.engagement.name}: {self.period_start} – {self.period_end}"

    def clean(self):
        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED

    @property
    def open_defects(self) -> int:
        return self.critical_defects + self.high_defects + self.normal_defects + self.low_defects


class QualityReportCorrectionQuerySet(ScopedQuerySet):
    engagement_path = "report__engagement"


class QualityReportCorrection(models.Model):
    """A change to a published report: what the figures were, why they changed, who changed them and when."""

    report = models.ForeignKey(QualityReport, on_delete=models.CASCADE, related_name="corrections")
    reason = models.CharField(_("reason for the correction"), max_length=300)
    # The corrected fields' values before the correction, for the record ({"pass_rate": "91.0", ...}).
    previous = models.JSONField(_("previous values"), default=dict)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(_("corrected at"), default=timezone.now)

    objects = QualityReportCorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["corrected_at", "pk"]
        verbose_name = _("quality report correction")
        verbose_name_plural = _("quality report corrections")

    def __str__(self):
        return f"{self.report}: {self.reason[:40]}"
