from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "escalations"
    verbose_name = _("Escalations")

    def ready(self):
        from accounts import hooks as account_hooks
        from checklists import task_sources
        from engagements import hooks as engagement_hooks
        from engagements import portal
        from notifications import registry
        from receipts import registry as receipt_kinds

        from . import coverage, health, receipts, selectors, tasks, work
        from .services.defaults import escalation_defaults_ensure
        from .services.rota import rota_absence_changed

        # What a client's answer to a resolution was about, for its receipt's verification.
        receipt_kinds.register_kind(receipts.KIND, content=receipts.resolution_content)
        # A client's complaint and its climb must reach people: nobody may switch these off or delay them.
        registry.register_category("escalation", _("Escalations"), mandatory=True, position=40)
        registry.register_category("red_flag", _("Red flags"), mandatory=True, position=50)
        # Beat only ticks; the deadlines are rows (``RedFlag.next_due_at``), so a lost or doubled tick is harmless.
        registry.register_periodic_task("escalations: sweep due red flags", tasks.sweep, every_seconds=30)
        # Deadlines skip public holidays: each calendar's are kept a year ahead, daily (any hour will do).
        registry.register_periodic_task(
            "escalations: keep public holidays a year ahead",
            tasks.holidays_keep_ahead,
            crontab={"minute": "20", "hour": "2"},
        )
        # Open red flags count in an engagement's health; the client's action-plan steps are among their tasks.
        health.register()
        # Checklist plans count working days on the engagement's business calendar.
        engagement_hooks.register_work_calendars(coverage.work_calendars_for)
        task_sources.register(selectors.client_task_source)
        # Flags waiting on the client's answer or confirmation are among what waits on them.
        task_sources.register(selectors.client_flag_requests)
        # Red flags waiting for a person, and their vendor-side action-plan steps, are on their "My work".
        work.register()
        portal.register_section(
            portal.PortalSection(
                "escalations",
                _("Escalations"),
                url_name="portal:flags",
                position=70,
                active_on=("flags", "flag", "flag_raise", "sla"),
            )
        )
        # The default path and calendar exist after every migrate (and a test database's flush).
        registry.register_ensure(escalation_defaults_ensure)
        # An absence of someone on a rota makes (or removes) the overrides that cover their shifts: the same hook as
        # engagements' cover, called by accounts' services in the absence's transaction (no model signal).
        account_hooks.on_absence_changed(rota_absence_changed)
