from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "engagements"

    def ready(self):
        from accounts import client_access
        from notifications import registry

        from . import policy, reminders, tasks

        # Checklist mail: its category, the reminder kinds, the day-30 tick and the weekly CSM digest's row.
        registry.register_category(reminders.CHECKLIST_CATEGORY, _("Checklist reminders"), position=10)
        registry.register_reminder_kind(reminders.DUE_SOON_KIND, reminders.remind_due_soon)
        registry.register_reminder_kind(reminders.OVERDUE_KIND, reminders.remind_overdue)
        registry.register_reminder_kind(reminders.WEEKLY_KIND, reminders.remind_csm_weekly)
        # Idempotent (a unique constraint asks each engagement once), so a doubled tick is harmless.
        registry.register_periodic_task(
            "engagements: ask day-30 satisfaction", tasks.ask_day30_satisfaction, every_seconds=3600
        )
        registry.register_ensure(reminders.weekly_digest_ensure)

        # Accounts asks which clients a vendor person works for; the answer is engagements' policy.
        client_access.register(policy)
