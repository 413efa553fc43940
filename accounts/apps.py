from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self):
        from . import (
            lockout,  # noqa: F401  (a login clears the failures against that account)
            notifications_hooks,
        )

        notifications_hooks.register()
