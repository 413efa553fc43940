from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "engagements"

    def ready(self):
        from accounts import client_access

        from . import policy

        # Accounts asks which clients a vendor person works for; the answer is engagements' policy.
        client_access.register(policy)
