from django.contrib import admin

from .models import QualityReport, QualityReportCorrection


class CorrectionInline(admin.TabularInline):
    model = QualityReportCorrection
    extra = 0
    readonly_fields = ["reason", "previous", "corrected_by", "corrected_at"]
    can_delete = False


@admin.register(QualityReport)
class QualityReportAdmin(admin.ModelAdmin):
    list_display = ["engagement", "period_start", "period_end", "pass_rate", "status", "published_at"]
    list_filter = ["status"]
    list_select_related = ["engagement"]
    raw_id_fields = ["engagement", "attachment", "published_by", "created_by"]
    inlines = [CorrectionInline]
