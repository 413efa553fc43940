from django.contrib import admin

from . import models


class EngagementMemberInline(admin.TabularInline):
    model = models.EngagementMember
    extra = 0
    autocomplete_fields = ["user"]


class ResourceLinkInline(admin.TabularInline):
    model = models.ResourceLink
    extra = 0


@admin.register(models.Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "phase", "csm", "pm", "kickoff_on"]
    list_filter = ["phase", "csm"]
    search_fields = ["name", "client__name"]
    autocomplete_fields = ["client", "csm", "pm", "deputy_pm", "account_executive"]
    list_select_related = ["client", "csm", "pm"]
    # Phase changes go through engagements.services (transition table and handoff gate).
    readonly_fields = ["phase"]
    inlines = [EngagementMemberInline, ResourceLinkInline]


# --- Clients ----------------------------------------------------------------------------------------


class BillingRecordInline(admin.TabularInline):
    model = models.BillingRecord
    extra = 0


@admin.register(models.ClientProfile)
class ClientProfileAdmin(admin.ModelAdmin):
    list_display = ["organization", "industry", "csm", "contract_signed_on"]
    search_fields = ["organization__name"]
    list_select_related = ["organization", "csm"]
    autocomplete_fields = ["organization", "csm"]
    inlines = [BillingRecordInline]
