from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import models, services

# --- Checklist templates: what admins configure -------------------------------------------------


class TemplateStageInline(admin.TabularInline):
    model = models.TemplateStage
    extra = 0
    fields = ["position", "title", "client_acceptance_required", "description"]
    show_change_link = True
    ordering = ["position", "pk"]


class TemplateItemInline(admin.TabularInline):
    model = models.TemplateItem
    extra = 1
    fields = [
        "position",
        "title",
        "owner_side",
        "default_assignee_role",
        "due_offset_days",
        "due_from",
        "evidence_required",
        "guidance",
    ]
    ordering = ["position", "pk"]


@admin.register(models.ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "stage_count", "created_at"]
    search_fields = ["name"]
    inlines = [TemplateStageInline]
    actions = ["duplicate"]
    readonly_fields = ["created_at"]

    @admin.display(description=_("stages"))
    def stage_count(self, obj):
        return obj.stages.count()

    @admin.action(description=_("Duplicate the selected templates"))
    def duplicate(self, request, queryset):
        for template in queryset:
            services.template_duplicate(template=template)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d template duplicated.", "%(count)d templates duplicated.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(models.TemplateStage)
class TemplateStageAdmin(admin.ModelAdmin):
    list_display = ["title", "template", "position", "client_acceptance_required"]
    list_editable = ["position"]
    list_filter = ["template"]
    list_select_related = ["template"]
    inlines = [TemplateItemInline]
    ordering = ["template", "position"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Checklist work happens in the app (history, reminders); admin only looks."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.ChecklistItem)
class ChecklistItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "stage", "owner_side", "assignee", "due_on", "status"]
    list_filter = ["status", "owner_side"]
    search_fields = ["title", "stage__engagement__name"]
    list_select_related = ["stage", "assignee"]


@admin.register(models.StageAcceptance)
class StageAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["engagement", "stage", "decision", "decided_by", "decided_at"]
    list_select_related = ["engagement", "stage", "decided_by"]
