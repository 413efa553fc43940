from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications and reminders")

    def ready(self):
        # Only notifications' own entries: the apps that use it register theirs in their own ready(), in any
        # order, since nothing here reads the registry before a sweep, a page or a migrate needs it.
        from . import registry, services, tasks
        from .handlers import MESSAGE_KIND, remind_message
        from .models import Category
        from .schedule import periodic_tasks_ensure

        registry.register_category(
            Category.ACCOUNT, _("Account and invitations"), mandatory=True, on_preferences=False, position=90
        )
        # The CSMs' weekly summaries; a client user's digest mail is sent whatever the preference.
        registry.register_category(Category.DIGEST, _("Weekly summaries"), for_client_users=False, position=30)
        registry.register_reminder_kind(services.DIGEST_KIND, services.remind_daily_digest)
        registry.register_reminder_kind(MESSAGE_KIND, remind_message)
        registry.register_periodic_task("notifications: relay outbox", tasks.relay, every_seconds=30)
        registry.register_periodic_task("notifications: sweep reminders", tasks.reminders_sweep, every_seconds=30)
        registry.register_periodic_task("notifications: purge old fan-outs", tasks.fanout_purge, every_seconds=3600)

        # After every migrate (and every test-database flush): the beat ticks and the rows that must exist once.
        post_migrate.connect(
            periodic_tasks_ensure,
            sender=self,
            dispatch_uid="notifications.periodic_tasks",
        )
