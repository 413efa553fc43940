from django.contrib import admin, messages
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import DigestSetting, Notification, NotificationFanout, NotificationPreference, Reminder


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The notification log: what was sent to whom, and why a failed delivery failed."""

    list_display = [
        "created_at",
        "subject",
        "to_email",
        "channel",
        "category",
        "status",
        "attempts",
        "sent_at",
        "error",
    ]
    list_filter = ["status", "channel", "category", "created_at"]
    search_fields = [
        "subject",
        "to_email",
        "event",
        "dedupe_key",
        "recipient__full_name",
    ]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Notification._meta.fields] + ["message_id", "about"]
    actions = ["retry"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "subject",
                    "recipient",
                    "to_email",
                    "channel",
                    "category",
                    "status",
                    "url",
                ]
            },
        ),
        (
            _("Delivery"),
            {
                "fields": [
                    "attempts",
                    "next_attempt_at",
                    "sent_at",
                    "read_at",
                    "last_error",
                ]
            },
        ),
        (
            _("Identity"),
            {
                "fields": [
                    "event",
                    "dedupe_key",
                    "message_id",
                    "template",
                    "language",
                    "context",
                ]
            },
        ),
        (_("Object"), {"fields": ["about", "target_type", "target_id", "created_at"]}),
    ]

    @admin.display(description=_("about"))
    def about(self, obj):
        return target_link(obj)

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("why it failed"))
    def error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    def has_change_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        # The log is read-only (no change form), but resending mail is a change: not for view-only staff.
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    @admin.action(description=_("Retry delivery of the selected emails now"), permissions=["retry"])
    def retry(self, request, queryset):
        count = services.notification_retry(notification_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d email will be sent again.",
                "%(count)d emails will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


def target_link(obj):
    """A link to what a reminder or notification is about: its admin page when the admin has one, else its own
    page; just its name when neither exists (or it is gone). Notifications knows no app: the content type says."""
    if not obj.target_type_id or not obj.target_id:
        return "—"
    model = obj.target_type.model_class()
    if model is None:
        return f"{obj.target_type} #{obj.target_id}"
    target = model._default_manager.filter(pk=obj.target_id).first()
    if target is None:
        return _("%(what)s #%(id)s (removed)") % {"what": model._meta.verbose_name, "id": obj.target_id}
    try:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[target.pk])
    except NoReverseMatch:
        url = target.get_absolute_url() if hasattr(target, "get_absolute_url") else ""
    label = f"{model._meta.verbose_name}: {target}"
    return format_html('<a href="{}">{}</a>', url, label) if url else label


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = [
        "key",
        "kind",
        "status",
        "due_at",
        "about",
        "repeat_every",
        "fired_count",
        "attempts",
        "last_fired_at",
    ]
    list_select_related = ["target_type"]

    @admin.display(description=_("about"))
    def about(self, obj):
        return target_link(obj)

    list_filter = ["status", "kind"]
    search_fields = ["key", "kind", "last_error"]
    readonly_fields = [
        "about",
        "fired_count",
        "last_fired_at",
        "attempts",
        "last_error",
        "created_at",
        "updated_at",
    ]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "category", "delivery"]
    list_filter = ["category", "delivery"]
    search_fields = ["user__full_name", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(DigestSetting)
class DigestSettingAdmin(admin.ModelAdmin):
    list_display = ["user", "hour"]
    autocomplete_fields = ["user"]


@admin.register(NotificationFanout)
class NotificationFanoutAdmin(admin.ModelAdmin):
    """Who must be told of what, before the relay wrote their notifications: a row that stays pending or failed
    says why here (its last error), and the relay retries it after its back-off."""

    list_display = ["created_at", "event", "category", "status", "attempts", "expanded_at", "last_error"]
    list_filter = ["status", "category", "created_at"]
    search_fields = ["event"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in NotificationFanout._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
