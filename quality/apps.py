from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quality"
    verbose_name = _("Quality reports")

    def ready(self):
        from notifications import registry

        from . import services

        # Clients choose how they hear of a newly published report (for_client_users: it concerns them).
        registry.register_category(services.CATEGORY, _("Quality reports"), position=24)
