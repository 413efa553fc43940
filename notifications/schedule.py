"""After migrate: the registered beat ticks as django-celery-beat rows (so an admin can edit them), created once
each, then the registered ensure hooks (rows that must exist once, such as a recurring reminder).

Beat only ticks; every tick expires after its interval, so ticks queued while no worker runs do not pile up.
"""

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS

from . import registry


def periodic_tasks_ensure(sender=None, using=DEFAULT_DB_ALIAS, **kwargs):
    if apps.is_installed("django_celery_beat"):
        _beat_rows_ensure(using)
    for hook in registry.ensure_hooks():
        hook()


def _beat_rows_ensure(using):
    # Imported here: django-celery-beat is optional (checked above), and its models load only if it is installed.
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    existing = set(PeriodicTask.objects.using(using).values_list("name", flat=True))
    for tick in registry.periodic_tasks():
        if tick.name in existing:
            continue  # An admin may have edited it: leave it alone.
        if tick.every_seconds is not None:
            interval, _ = IntervalSchedule.objects.using(using).get_or_create(
                every=tick.every_seconds, period=IntervalSchedule.SECONDS
            )
            schedule = {"interval": interval}
        else:
            crontab, _ = CrontabSchedule.objects.using(using).get_or_create(timezone="UTC", **dict(tick.crontab))
            schedule = {"crontab": crontab}
        PeriodicTask.objects.using(using).create(
            name=tick.name, task=tick.task, expire_seconds=tick.expire_seconds, **schedule
        )
