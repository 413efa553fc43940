from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "governance"
    verbose_name = _("Governance")

    def ready(self):
        from notifications import registry

        from . import agenda_sources, tasks
        from .services import actions, lifecycle

        registry.register_category(lifecycle.CATEGORY, _("Meetings and governance"), position=20)
        # One reminder row per meeting (invitation, agenda, participants, missed/late minutes) and per action item.
        registry.register_reminder_kind(lifecycle.MEETING_KIND, lifecycle.remind_meetings)
        registry.register_reminder_kind(actions.ACTION_KIND, actions.remind_action_items)
        # The .ics of an invitation or a cancellation, built when the mail leaves.
        registry.register_attachment_provider(lifecycle.INVITATION_TEMPLATE, lifecycle.invitation_attachment)
        registry.register_attachment_provider(lifecycle.CANCELLATION_TEMPLATE, lifecycle.cancellation_attachment)
        registry.register_periodic_task(
            "governance: generate meetings up to the horizon", tasks.meetings_top_up, every_seconds=3600
        )
        agenda_sources.register()
