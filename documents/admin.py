from django.contrib import admin

from .models import Document, DocumentAcknowledgement, DocumentVersion


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    fields = ["label", "status", "attachment", "uploaded_by", "uploaded_at", "published_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "engagement", "published_versions"]
    list_filter = ["kind"]
    list_select_related = ["engagement"]
    raw_id_fields = ["engagement", "created_by"]
    inlines = [VersionInline]


@admin.register(DocumentAcknowledgement)
class DocumentAcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["version", "user", "at"]
    list_select_related = ["version__document", "user"]
    readonly_fields = ["version", "user", "at"]
