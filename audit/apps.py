from django.apps import AppConfig


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"

    def ready(self):
        from . import task_context

        # Every Celery task's writes carry the task's name and id (a worker's task_prerun/task_postrun).
        task_context.connect()
