import nested_admin
from django.contrib import admin, messages
from django.db.models import Count, TextField
from django.forms import Textarea
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import models, services

# --- Checklist templates: what admins configure -------------------------------------------------
# A template's stages and each stage's items are edited on the template's one page (nested inlines), laid out to
# fit a 1,440 px screen (``static/css/admin_checklists.css``).


class TemplateItemInline(nested_admin.NestedTabularInline):
    model = models.TemplateItem
    extra = 0
    fields = [
        "position",
        "title",
        "owner_side",
        "default_assignee_role",
        "due_offset_days",
        "due_from",
        "duration_days",
        "evidence_required",
        "closes_with",
        "guidance",
    ]
    ordering = ["position", "pk"]
    formfield_overrides = {
        TextField: {"widget": Textarea(attrs={"rows": 1, "cols": 28})},
    }

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("position", "due_offset_days", "duration_days"):
            field.widget.attrs["class"] = "vNarrowIntegerField"
        elif db_field.name == "title":
            field.widget.attrs["size"] = 32
        return field


class TemplateStageInline(nested_admin.NestedStackedInline):
    model = models.TemplateStage
    extra = 0
    fields = [("position", "title", "client_acceptance_required"), "description"]
    ordering = ["position", "pk"]
    inlines = [TemplateItemInline]
    formfield_overrides = {
        TextField: {"widget": Textarea(attrs={"rows": 2, "cols": 80})},
    }


@admin.register(models.ChecklistTemplate)
class ChecklistTemplateAdmin(nested_admin.NestedModelAdmin):
    """One language's template per page. A translation is a template of its own with the same key (duplicate one,
    then set its language and translate its texts); engagements get their client's language, else English."""

    list_display = ["name", "key", "language", "is_default", "stage_count", "created_at"]
    list_filter = ["language", "is_default"]
    search_fields = ["name", "key"]
    fields = [("name", "key", "language"), "description", "is_default", "created_at"]
    inlines = [TemplateStageInline]
    actions = ["duplicate"]
    readonly_fields = ["created_at"]

    class Media:
        css = {"all": ["css/admin_checklists.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(stage_total=Count("stages"))

    @admin.display(description=_("stages"), ordering="stage_total")
    def stage_count(self, obj):
        return obj.stage_total

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


@admin.register(models.TemplateItemDependency)
class TemplateItemDependencyAdmin(admin.ModelAdmin):
    """Which template item waits for which: copied with the template into each engagement it is applied to. Both
    items belong to one template, and a circle is refused (``TemplateItemDependency.clean``)."""

    list_display = ["successor", "predecessor", "kind", "lag_days", "template_name"]
    list_filter = ["successor__stage__template"]
    list_select_related = ["successor__stage__template", "predecessor"]
    fields = ["successor", "predecessor", "kind", "lag_days"]

    @admin.display(description=_("checklist template"), ordering="successor__stage__template__name")
    def template_name(self, obj):
        return obj.successor.stage.template

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("successor", "predecessor"):
            kwargs["queryset"] = models.TemplateItem.objects.select_related("stage__template").order_by(
                "stage__template__name", "stage__template__language", "stage__position", "position"
            )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in ("successor", "predecessor"):
            field.label_from_instance = lambda item: f"{item.stage.template} › {item.stage.title} › {item.title}"
        return field


@admin.register(models.TemplateStage)
class TemplateStageAdmin(nested_admin.NestedModelAdmin):
    list_display = ["title", "template", "position", "client_acceptance_required"]
    list_editable = ["position"]
    list_filter = ["template"]
    list_select_related = ["template"]
    inlines = [TemplateItemInline]
    ordering = ["template", "position"]

    class Media:
        css = {"all": ["css/admin_checklists.css"]}


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
