from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services
from .mfa import services as mfa_services
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
    actions = ["deactivate", "reset_second_factor"]
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

    @admin.action(description=_("Reset two-factor login (a lost phone)"), permissions=["change"])
    def reset_second_factor(self, request, queryset):
        """Removes the people's authenticators; recorded in each one's history here and mailed to them."""
        reset = sum(1 for user in queryset if mfa_services.mfa_reset(by=request.user, user=user))
        messages.success(
            request,
            _("Two-factor login reset for %(n)d people; they set it up again at their next login.") % {"n": reset},
        )

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


class StaffAbsenceAdminForm(forms.ModelForm):
    class Meta:
        model = StaffAbsence
        fields = ["user", "starts_on", "ends_on", "reason", "note"]

    def clean(self):
        cleaned = super().clean()
        # The service's own checks, shown next to the fields before it writes (it checks again under its lock).
        user = cleaned.get("user") or getattr(self.instance, "user", None)
        if user is not None and cleaned.get("starts_on") and cleaned.get("ends_on"):
            services.absence_validate(
                StaffAbsence(pk=self.instance.pk, user=user, starts_on=cleaned["starts_on"], ends_on=cleaned["ends_on"])
            )
        return cleaned


@admin.register(StaffAbsence)
class StaffAbsenceAdmin(admin.ModelAdmin):
    """Every write goes through ``accounts.services`` (as the absences page's), so that the hook it calls re-plans
    the deputies' cover and the on-call rota: the admin edits the same rules, not the rows."""

    form = StaffAbsenceAdminForm
    fields = ["user", "starts_on", "ends_on", "reason", "note", "created_at"]
    list_display = ["user", "starts_on", "ends_on", "reason", "note"]
    list_filter = ["reason"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    date_hierarchy = "starts_on"

    def get_readonly_fields(self, request, obj=None):
        # An absence stays its person's (the services change dates, reason and note).
        return ["user", "created_at"] if obj is not None else ["created_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.leads_delivery:
            kwargs["queryset"] = User.objects.filter(pk=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _may_write(self, request, obj) -> bool:
        if obj is None:
            return True
        return services.may_record_absence_of(request.user, obj.user) and not services.absence_is_over(
            obj, today=timezone.localdate()
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_write(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in services.ABSENCE_EDITABLE if name in form.changed_data}
            saved = services.staff_absence_update(by=request.user, absence=obj, **fields)
        else:
            saved = services.staff_absence_record(
                by=request.user,
                user=obj.user,
                starts_on=obj.starts_on,
                ends_on=obj.ends_on,
                reason=obj.reason,
                note=obj.note,
            )
        obj.pk, obj.created_at = saved.pk, saved.created_at

    def delete_model(self, request, obj):
        self._cancel(request, obj)

    def delete_queryset(self, request, queryset):
        for absence in queryset.select_related("user"):
            self._cancel(request, absence)

    def _cancel(self, request, absence):
        # One under way ends yesterday instead (what happened while the person was away stays true).
        if services.staff_absence_cancel(by=request.user, absence=absence) is not None:
            messages.info(
                request,
                _("%(name)s's absence was under way: it now ends yesterday.") % {"name": absence.user.full_name},
            )


# A second factor is removed only by the reset above (recorded and told to its person), never deleted row by row.
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)
