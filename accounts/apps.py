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

        from audit import context as audit_context

        from . import client_address

        # The audit trail records each request's client address as the lockout sees it (behind our proxies).
        audit_context.register_client_address(client_address.client_ip)
