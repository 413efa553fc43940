from django.contrib import admin

from .models import Receipt


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin):
    """Read-only: a receipt is written with its decision and never changed."""

    list_display = ("decided_at", "kind", "decision", "subject", "decided_by", "authenticated_by", "address")
    list_filter = ("kind", "decision")
    search_fields = ("subject", "decided_by__email")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
