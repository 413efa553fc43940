from django.contrib import admin

from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "sha256"]
    readonly_fields = ["id", "file", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    list_select_related = ["uploaded_by"]
