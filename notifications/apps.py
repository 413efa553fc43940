from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications and reminders")

    def ready(self):
        from . import handlers  # noqa: F401  (registers reminder kinds and context providers)
        from .schedule import periodic_tasks_ensure

        # After every migrate (and every test-database flush): the beat ticks exist, once each.
        post_migrate.connect(
            periodic_tasks_ensure,
            sender=self,
            dispatch_uid="notifications.periodic_tasks",
        )
