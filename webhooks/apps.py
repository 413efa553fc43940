from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from notifications import registry

        from . import tasks
        from .services.notices import WEBHOOKS_CATEGORY

        # The endpoint owner's notice when a receiver answers 410 Gone (always sent: the integration has stopped).
        registry.register_category(
            WEBHOOKS_CATEGORY, _("Webhooks"), mandatory=True, on_preferences=False, for_client_users=False, position=95
        )
        # Beat only ticks: deliveries are rows; an emit also kicks a relay run when its transaction commits.
        registry.register_periodic_task("webhooks: deliver due webhooks", tasks.relay, every_seconds=15)
        registry.register_periodic_task("webhooks: purge old events", tasks.purge, every_seconds=3600)
