from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quality"
    verbose_name = _("Quality reports")

    def ready(self):
        from engagements import portal
        from notifications import registry

        from . import services

        # Clients choose how they hear of a newly published report (for_client_users: it concerns them).
        registry.register_category(services.CATEGORY, _("Quality reports"), position=24)
        portal.register_section(
            portal.PortalSection(
                "quality",
                _("Quality reports"),
                url_name="portal:quality_reports",
                position=50,
                active_on=("quality_reports", "quality_report"),
            )
        )
