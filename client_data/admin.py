from django.contrib import admin

from .models import ClientDataExport


@admin.register(ClientDataExport)
class ClientDataExportAdmin(admin.ModelAdmin):
    """The record of who took which client's data out, and when; exports are asked for on the client's page."""

    list_display = ("organization", "requested_by", "status", "created_at", "finished_at", "expires_at", "size")
    list_filter = ("status",)
    search_fields = ("organization__name", "requested_by__email")
    readonly_fields = [field.name for field in ClientDataExport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
