"""Admin: escalation paths (levels, deadlines, client texts), business calendars (windows, holidays), each
engagement's coverage and contract targets, on-call rotas. Red flags are read here and worked on their pages: their
timers are only ever moved by the services, so the admin shows them read-only."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import models, services
from .durations import BusinessDurationField, format_duration


class WorkingWindowInline(admin.TabularInline):
    model = models.WorkingWindow
    extra = 0


class HolidayInline(admin.TabularInline):
    model = models.Holiday
    extra = 0


@admin.register(models.BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "country", "is_default"]
    inlines = [WorkingWindowInline, HolidayInline]
    actions = ["seed_holidays"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        calendar = form.instance
        if calendar.country and (not change or "country" in form.changed_data):
            # A new calendar, or a new country: its public holidays a year ahead (the days listed stay).
            if change:
                models.BusinessCalendar.objects.filter(pk=calendar.pk).update(holidays_seeded_through=None)
            added = services.calendar_holidays_keep_ahead(calendar=calendar)
            self.message_user(
                request, _("%(calendar)s: %(count)s holidays added.") % {"calendar": calendar, "count": added}
            )

    @admin.action(description=_("Add public holidays of this year and the next (from the calendar's country)"))
    def seed_holidays(self, request, queryset):
        year = timezone.localdate().year
        for calendar in queryset:
            try:
                added = services.calendar_seed_holidays(calendar=calendar, years=[year, year + 1])
            except ValidationError as error:
                self.message_user(request, f"{calendar}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(
                    request, _("%(calendar)s: %(count)s holidays added.") % {"calendar": calendar, "count": added}
                )


class LevelForm(forms.ModelForm):
    notify_roles = forms.MultipleChoiceField(
        label=_("also told on entry (roles)"),
        choices=[(value, label) for value, label in models.LevelRole.choices if value != models.LevelRole.PERSON],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = models.EscalationLevel
        fields = ["position", "name", "responsible", "person", "notify_roles", "notify_people"]


class EscalationLevelInline(admin.TabularInline):
    model = models.EscalationLevel
    form = LevelForm
    extra = 0
    show_change_link = True
    fields = ["position", "name", "responsible", "person"]


class PathTextInline(admin.StackedInline):
    model = models.PathText
    extra = 0
    fields = ["level", "language", "text"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "level":
            path_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = models.EscalationLevel.objects.filter(path_id=path_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(models.EscalationPath)
class EscalationPathAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "breach_warning_percent", "renotify_every", "renotify_max"]
    inlines = [EscalationLevelInline, PathTextInline]
    fieldsets = [
        (None, {"fields": ["name", "is_default", "auto_close_days"]}),
        (_("Warnings and reminders"), {"fields": ["breach_warning_percent", "renotify_every", "renotify_max"]}),
        (
            _("Client updates at least every"),
            {"fields": ["update_every_critical", "update_every_high", "update_every_normal"]},
        ),
    ]


class TargetForm(forms.ModelForm):
    """Deadlines typed and shown as people say them ("4 business hours", "2 working days")."""

    acknowledge_within = BusinessDurationField(label=_("acknowledge within"))
    resolve_within = BusinessDurationField(label=_("resolve within"))


class LevelTargetInline(admin.TabularInline):
    model = models.LevelTarget
    form = TargetForm
    extra = 0
    max_num = len(models.Severity.choices)


@admin.register(models.EscalationLevel)
class EscalationLevelAdmin(admin.ModelAdmin):
    form = LevelForm
    list_display = ["path", "position", "name", "responsible"]
    list_filter = ["path"]
    inlines = [LevelTargetInline]
    filter_horizontal = ["notify_people"]


@admin.register(models.EngagementCoverage)
class EngagementCoverageAdmin(admin.ModelAdmin):
    list_display = ["engagement", "path", "calendar", "around_the_clock", "rota"]
    list_filter = ["around_the_clock", "path", "calendar"]
    autocomplete_fields = ["engagement"]


class ContractTargetForm(forms.ModelForm):
    acknowledge_within = BusinessDurationField(label=_("respond within"))
    resolve_within = BusinessDurationField(label=_("resolve within"))


@admin.register(models.ContractTarget)
class ContractTargetAdmin(admin.ModelAdmin):
    form = ContractTargetForm
    list_display = ["engagement", "severity", "respond_in", "resolve_in", "valid_from", "valid_until"]

    @admin.display(description=_("respond within"), ordering="acknowledge_within")
    def respond_in(self, obj):
        return format_duration(obj.acknowledge_within)

    @admin.display(description=_("resolve within"), ordering="resolve_within")
    def resolve_in(self, obj):
        return format_duration(obj.resolve_within)

    list_filter = ["severity"]
    autocomplete_fields = ["engagement"]


class OnCallShiftInline(admin.TabularInline):
    model = models.OnCallShift
    extra = 0

    def get_queryset(self, request):
        # The rota's current and future shifts; the past ones are history.
        return super().get_queryset(request).filter(ends_at__gt=timezone.now() - timedelta(days=1))


class OnCallOverrideInline(admin.TabularInline):
    model = models.OnCallOverride
    extra = 0
    fields = ["person", "replaces", "starts_at", "ends_at", "reason", "source"]
    readonly_fields = ["source"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(ends_at__gt=timezone.now() - timedelta(days=1))


@admin.register(models.OnCallRota)
class OnCallRotaAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "handover_time", "backup"]
    inlines = [OnCallShiftInline, OnCallOverrideInline]
    actions = ["sync_absences"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.rota_sync_absences(person_ids=set(form.instance.shifts.values_list("person_id", flat=True)))

    @admin.action(description=_("Cover absences again (re-make the absence overrides)"))
    def sync_absences(self, request, queryset):
        person_ids = set(models.OnCallShift.objects.filter(rota__in=queryset).values_list("person_id", flat=True))
        made = services.rota_sync_absences(person_ids=person_ids)
        self.message_user(request, _("%(count)s absence overrides in place.") % {"count": made})


class FlagEventInline(admin.TabularInline):
    model = models.FlagEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor", "body", "is_internal", "cycle", "level"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EscalationInline(admin.TabularInline):
    model = models.Escalation
    extra = 0
    can_delete = False
    fields = ["at", "cycle", "level", "round", "reason", "due_at", "owner", "by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.RedFlag)
class RedFlagAdmin(admin.ModelAdmin):
    list_display = ["title", "engagement", "severity", "status", "level", "owner", "next_due_at", "sweep_attempts"]
    list_filter = ["status", "severity", "level"]
    search_fields = ["title", "engagement__name", "engagement__client__name"]
    inlines = [EscalationInline, FlagEventInline]
    actions = ["retry_sweep"]

    def get_readonly_fields(self, request, obj=None):
        # The timers and the state move only through the services (see the module docstring).
        return [field.name for field in self.model._meta.fields] + ["sweep_error"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Sweep again now (after fixing what failed)"))
    def retry_sweep(self, request, queryset):
        count = queryset.exclude(sweep_error="").update(next_due_at=timezone.now(), sweep_attempts=0)
        self.message_user(request, _("%(count)s red flags will be swept at the next tick.") % {"count": count})
