from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import events, services
from .models import Delivery, Endpoint, Event


class EndpointAdminForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=_("Events"), choices=events.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "organization", "event_types", "enabled"]

    def clean(self):
        cleaned = super().clean()
        candidate = Endpoint(url=cleaned.get("url") or "", event_types=cleaned.get("event_types") or [])
        try:
            services.endpoint_validate(candidate)
        except forms.ValidationError as error:
            for field, messages_ in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages_)
        return cleaned


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointAdminForm
    list_display = ["__str__", "url", "organization", "enabled", "created_by", "created_at"]
    list_filter = ["enabled", "organization"]
    search_fields = ["url", "description"]
    readonly_fields = ["secret", "previous_secret_until", "disabled_reason", "created_by", "created_at"]
    actions = ["rotate_secret"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        if obj.enabled:
            obj.disabled_reason = ""
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Rotate the signing secret (the old one stays valid for a while)"))
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            services.endpoint_rotate_secret(endpoint=endpoint, by=None)
        self.message_user(request, _("Secrets rotated."), messages.SUCCESS)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["type", "message_id", "organization", "engagement_id", "created_at"]
    list_filter = ["type"]
    date_hierarchy = "created_at"
    readonly_fields = ["id", "type", "organization", "engagement_id", "data", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "response_code", "duration_ms", "last_attempt_at"]
    list_filter = ["status", "endpoint"]
    list_select_related = ["event", "endpoint"]
    readonly_fields = [field.name for field in Delivery._meta.fields]
    actions = ["replay"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send again (same webhook-id)"))
    def replay(self, request, queryset):
        count = 0
        for delivery in queryset:
            services.delivery_replay(delivery=delivery, by=None)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d delivery will be sent again.", "%(count)d deliveries will be sent again.", count)
            % {"count": count},
        )
