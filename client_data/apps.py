from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientDataConfig(AppConfig):
    name = "client_data"
    verbose_name = _("Client data requests")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from notifications import registry

        from . import tasks

        # Beat only ticks: an export is a row. The tick builds what a lost kick or a killed worker left, and removes
        # archives past their time.
        registry.register_periodic_task("client data: build requested exports", tasks.build_due, every_seconds=60)
        registry.register_periodic_task("client data: remove expired exports", tasks.expire, every_seconds=3600)
