"""API tokens in the admin: an admin creates service accounts' tokens (the secret is shown once, in the message
after saving) and revokes any token. Tokens are never edited: revoke and create another."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import OrganizationKind, Role, User

from . import tokens
from .models import SCOPES, ApiToken, CrmAccount, CrmDeal, CrmDealChange, CrmReceipt, CrmSettings


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=[(scope, scope) for scope in SCOPES], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiToken
        fields = ("name", "kind", "user", "scopes", "expires_at")

    def clean_expires_at(self):
        # The one rule of ``tokens.token_create`` a form field does not already state.
        expires_at = self.cleaned_data.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError(_("Choose an expiry in the future."))
        return expires_at


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ("name", "kind", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("kind",)
    search_fields = ("name", "prefix", "user__email")
    fields = ("name", "kind", "user", "scopes", "expires_at")
    readonly_fields = ()
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ("name", "kind", "user", "scopes", "expires_at", "prefix", "last_used_at", "revoked_at") if obj else ()

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj) if obj else self.fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        made = tokens.token_create(
            by=request.user,
            name=obj.name,
            scopes=obj.scopes,
            user=obj.user,
            kind=obj.kind,
            expires_at=obj.expires_at,
        )
        obj.pk = made.token.pk
        obj.refresh_from_db()
        messages.warning(request, _("Copy the token now; it is not shown again: %(secret)s") % {"secret": made.secret})

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        now = timezone.now()
        for token in queryset:
            tokens.token_revoke(by=request.user, token=token, now=now)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CrmReceipt)
class CrmReceiptAdmin(admin.ModelAdmin):
    """What a CRM sent (redacted) and what it was answered: for support, kept 30 days, never edited."""

    list_display = ("received_at", "source", "deal_id", "status", "outcome")
    list_filter = ("source", "status")
    search_fields = ("deal_id",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CrmDealChangeInline(admin.TabularInline):
    """What each later sending of the deal changed on the handoff (written by ``api.crm``, never edited)."""

    model = CrmDealChange
    extra = 0
    fields = ("received_at", "changes")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CrmDeal)
class CrmDealAdmin(admin.ModelAdmin):
    list_display = ("source", "deal_id", "engagement", "received_at")
    search_fields = ("deal_id",)
    raw_id_fields = ("engagement",)
    inlines = [CrmDealChangeInline]


@admin.register(CrmSettings)
class CrmSettingsAdmin(admin.ModelAdmin):
    """One row: who takes a won deal (without it, the ``CRM_CSM`` setting decides)."""

    list_display = ("__str__", "csm_rule", "csm", "updated_at")
    fields = ("csm_rule", "csm")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "csm":
            kwargs["queryset"] = User.objects.filter(
                is_active=True, role=Role.CSM, organization__kind=OrganizationKind.VENDOR
            ).order_by("email")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not CrmSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CrmAccount)
class CrmAccountAdmin(admin.ModelAdmin):
    list_display = ("source", "account_id", "organization")
    search_fields = ("account_id", "organization__name")
    raw_id_fields = ("organization",)
