from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "escalations"

    def ready(self):
        from notifications import registry

        # A client's complaint and its climb must reach people: nobody may switch these off or delay them.
        registry.register_category("escalation", _("Escalations"), mandatory=True, position=40)
        registry.register_category("red_flag", _("Red flags"), mandatory=True, position=50)
