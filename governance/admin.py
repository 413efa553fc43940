from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import models


class AgendaSectionInline(admin.TabularInline):
    model = models.AgendaSectionTemplate
    extra = 1
    fields = ["position", "title", "guidance", "live_source"]
    ordering = ["position", "pk"]


class CadenceTemplateForm(forms.ModelForm):
    vendor_audience = forms.MultipleChoiceField(
        label=_("Vendor participants"),
        choices=models.VendorAudience.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    client_audience = forms.MultipleChoiceField(
        label=_("Client participants"),
        choices=models.ClientAudience.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = models.CadenceTemplate
        fields = [
            "key",
            "language",
            "name",
            "purpose",
            "kind",
            "is_internal",
            "is_active",
            "position",
            "frequency",
            "interval",
            "weekday",
            "week_of_month",
            "start_time",
            "duration_minutes",
            "vendor_audience",
            "client_audience",
            "alternative_group",
            "in_default_plan",
            "invite_lead_days",
            "agenda_lead_hours",
            "remind_before_minutes",
        ]


@admin.register(models.CadenceTemplate)
class CadenceTemplateAdmin(admin.ModelAdmin):
    """The vendor's meeting rhythms. Each language is a row of its own with the same key; an engagement applies
    the row in its plan's language (English when there is none). Editing a cadence never changes the series
    already made from it."""

    form = CadenceTemplateForm
    list_display = ["name", "key", "language", "kind", "frequency", "interval", "alternative_group", "is_active"]
    list_filter = ["language", "kind", "is_active"]
    search_fields = ["name", "key"]
    ordering = ["position", "key", "language"]
    inlines = [AgendaSectionInline]
    actions = ["duplicate"]
    fieldsets = [
        (None, {"fields": ["key", "language", "name", "purpose", "kind", "is_internal", "is_active", "position"]}),
        (
            _("Rhythm"),
            {"fields": ["frequency", "interval", "weekday", "week_of_month", "start_time", "duration_minutes"]},
        ),
        (_("Participants"), {"fields": ["vendor_audience", "client_audience"]}),
        (_("In the plan"), {"fields": ["alternative_group", "in_default_plan"]}),
        (_("Reminders"), {"fields": ["invite_lead_days", "agenda_lead_hours", "remind_before_minutes"]}),
    ]

    @admin.action(description=_("Duplicate (e.g. to translate into another language)"))
    def duplicate(self, request, queryset):
        with transaction.atomic():
            for cadence in queryset.prefetch_related("sections"):
                sections = list(cadence.sections.all())
                cadence.pk = None
                cadence.key = f"{cadence.key}-copy"[:50]
                cadence.is_active = False
                n = 1
                while models.CadenceTemplate.objects.filter(key=cadence.key, language=cadence.language).exists():
                    n += 1
                    cadence.key = f"{cadence.key.rsplit('-copy', 1)[0]}-copy{n}"[:50]
                cadence.save()
                for section in sections:
                    section.pk = None
                    section.cadence = cadence
                    section.save()
        messages.success(
            request,
            ngettext(
                "%(n)d cadence duplicated (inactive until you edit it).",
                "%(n)d cadences duplicated (inactive until you edit them).",
                queryset.count(),
            )
            % {"n": queryset.count()},
        )


class SeriesSectionInline(admin.TabularInline):
    model = models.SeriesAgendaSection
    extra = 0


class SeriesParticipantInline(admin.TabularInline):
    model = models.SeriesParticipant
    extra = 0
    raw_id_fields = ["user", "stakeholder"]


@admin.register(models.MeetingSeries)
class MeetingSeriesAdmin(admin.ModelAdmin):
    """Series are made by applying cadences on the engagement's governance page (which generates their meetings
    and reminders); the admin shows them for support."""

    list_display = ["name", "engagement", "frequency", "interval", "start_time", "time_zone", "ended_on"]
    list_filter = ["frequency", "kind"]
    search_fields = ["name", "engagement__name", "engagement__client__name"]
    list_select_related = ["engagement__client"]
    raw_id_fields = ["engagement", "cadence", "owner"]
    readonly_fields = ["generated_until", "created_at", "updated_at"]
    inlines = [SeriesSectionInline, SeriesParticipantInline]

    def has_add_permission(self, request):
        return False


@admin.register(models.Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "engagement", "starts_at", "status", "minutes_version", "minutes_late_at", "sequence"]
    list_filter = ["status", "is_internal"]
    search_fields = ["title", "engagement__name", "engagement__client__name"]
    date_hierarchy = "starts_at"
    list_select_related = ["engagement__client"]
    raw_id_fields = ["engagement", "series", "owner"]
    # Moves, cancellations and minutes go through the services (calendar updates, reminders).
    readonly_fields = [field.name for field in models.Meeting._meta.fields if field.name not in ("title",)]

    def has_add_permission(self, request):
        return False


@admin.register(models.CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["owner", "engagement", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["owner__email", "engagement__name"]
    raw_id_fields = ["owner", "engagement"]
    readonly_fields = ["owner", "engagement", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke (the address stops working at once)"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, ngettext("%(n)d feed revoked.", "%(n)d feeds revoked.", count) % {"n": count})
