from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecklistsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "checklists"
    verbose_name = _("Checklists")

    def ready(self):
        from engagements import figures, hooks
        from engagements.models import Phase
        from notifications import registry
        from receipts import registry as receipt_kinds

        from . import health, receipts, reminders, selectors, services, tasks, work

        # Going live needs the client's acceptances; template due dates follow the kickoff and contract dates.
        hooks.phase_gate(to=Phase.LIVE, from_phase=Phase.ONBOARDING)(services.go_live_missing)
        hooks.on_anchor_dates_moved(services.due_dates_reanchor)
        # ... and then the items that wait for others follow their predecessors.
        hooks.on_anchor_dates_moved(services.plan_follow_anchors)
        health.register()
        # The maintained dashboard figures count the checklist's progress and next due item.
        figures.register_progress(selectors.with_progress)
        # Its lists on "My work" (due items, deputy hand-overs, client questions, stages awaiting the client).
        work.register()
        # What a client decision on a stage or the work plan was about, for its receipt's verification.
        receipt_kinds.register_kind(receipts.KIND, content=receipts.acceptance_content)

        # Checklist mail: its category, the reminder kinds, the day-30 tick and the weekly CSM digest's row.
        registry.register_category(reminders.CHECKLIST_CATEGORY, _("Checklist reminders"), position=10)
        registry.register_category(
            reminders.DECISIONS_CATEGORY, _("Client decisions and feedback"), for_client_users=False, position=11
        )
        registry.register_category(reminders.COMMENTS_CATEGORY, _("Comments and questions"), position=12)
        registry.register_category(services.PLAN_CATEGORY, _("Plan changes"), position=13)
        registry.register_reminder_kind(reminders.DUE_SOON_KIND, reminders.remind_due_soon)
        registry.register_reminder_kind(reminders.OVERDUE_KIND, reminders.remind_overdue)
        registry.register_reminder_kind(reminders.WEEKLY_KIND, reminders.remind_csm_weekly)
        # Idempotent (a unique constraint asks each engagement once), so a doubled tick is harmless.
        registry.register_periodic_task(
            "checklists: ask day-30 satisfaction", tasks.ask_day30_satisfaction, every_seconds=3600
        )
        # Once a day per engagement (the forecast's time says when it last ran), so a doubled tick is harmless.
        registry.register_periodic_task(
            "checklists: reschedule late plans", tasks.reschedule_late_plans, every_seconds=3600
        )
        registry.register_ensure(reminders.weekly_digest_ensure)
        registry.register_ensure(default_template_ensure)


def default_template_ensure() -> None:
    """After a flush (transactional tests) the shipped default template comes back, as after migrate; a database
    with any template keeps what its admins made of them."""
    # Imported here: this module loads with the app registry, before models may be imported.
    from .models import ChecklistTemplate
    from .services.templates import template_default_ensure

    if not ChecklistTemplate.objects.exists():
        template_default_ensure()
