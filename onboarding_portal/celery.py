import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding_portal.settings")

# DjangoTask gives every task delay_on_commit(), so work that follows a write is only
# enqueued once that write is committed.
app = Celery("onboarding_portal", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
