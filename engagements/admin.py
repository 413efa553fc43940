from django.contrib import admin

from .models import Engagement, EngagementMember


class EngagementMemberInline(admin.TabularInline):
    model = EngagementMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "phase", "csm", "pm", "kickoff_on"]
    list_filter = ["phase", "csm"]
    search_fields = ["name", "client__name"]
    autocomplete_fields = ["client", "csm", "pm", "deputy_pm"]
    list_select_related = ["client", "csm", "pm"]
    inlines = [EngagementMemberInline]
