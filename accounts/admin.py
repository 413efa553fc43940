from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import EmailChange, Invitation, Organization, StaffAbsence, User


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["full_name"]
    list_display = ["email", "full_name", "organization", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "organization__kind", "organization"]
    search_fields = ["email", "full_name"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    actions = ["deactivate"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "job_title", "phone", "organization", "role")}),
        (_("Preferences"), {"fields": ("time_zone", "language")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "organization", "role", "password1", "password2"),
            },
        ),
    )

    @admin.action(description=_("Deactivate and end their sessions"))
    def deactivate(self, request, queryset):
        for user in queryset:
            services.user_deactivate(by=request.user, user=user)
        messages.success(request, _("%(n)d users deactivated.") % {"n": queryset.count()})

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Unticking "active" in the form ends the person's sessions at once, as the action does.
        if change and "is_active" in form.changed_data and not obj.is_active:
            services.user_sessions_end(user=obj)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "invited_by", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "organization"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["nonce", "accepted_at", "user", "created_at"]
    list_select_related = ["organization", "invited_by"]


@admin.register(EmailChange)
class EmailChangeAdmin(admin.ModelAdmin):
    """The record of sign-in address changes, for support ("I did not change my address"): read only, and
    without the nonce, from which a confirmation link could be rebuilt."""

    list_display = ["user", "old_email", "new_email", "created_at", "expires_at", "confirmed_at", "cancelled_at"]
    list_filter = ["confirmed_at", "cancelled_at"]
    search_fields = ["user__email", "user__full_name", "new_email", "old_email"]
    list_select_related = ["user"]
    fields = ["user", "old_email", "new_email", "created_at", "expires_at", "confirmed_at", "cancelled_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StaffAbsence)
class StaffAbsenceAdmin(admin.ModelAdmin):
    list_display = ["user", "starts_on", "ends_on", "reason", "note"]
    list_filter = ["reason"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    date_hierarchy = "starts_on"
