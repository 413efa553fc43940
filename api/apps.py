from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("REST API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from notifications import registry

        from . import (
            crm,
            schema,  # noqa: F401  (registers the token's OpenAPI security scheme)
            tasks,
        )

        # The CSM a won deal goes to hears of it, and of the deal changing before kickoff.
        registry.register_category(crm.CRM_CATEGORY, _("Won deals from the CRM"), for_client_users=False, position=96)

        # The CRM payloads kept for support go after 30 days.
        registry.register_periodic_task(
            "api: purge CRM payloads past 30 days", tasks.crm_receipts_purge, every_seconds=3600
        )
