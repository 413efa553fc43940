from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecklistsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "checklists"
    verbose_name = _("Checklists")

    def ready(self):
        from engagements import hooks
        from engagements.models import Phase

        from . import health, reminders, services  # noqa: F401  (reminders registers its kinds on import)

        # Going live needs the client's acceptances; template due dates follow the kickoff and contract dates.
        hooks.phase_gate(to=Phase.LIVE, from_phase=Phase.ONBOARDING)(services.go_live_missing)
        hooks.on_anchor_dates_moved(services.due_dates_reanchor)
        health.register()
