"""The beat ticks, as django-celery-beat rows (so an admin can edit them), created once each.

Beat only ticks; every tick expires after its interval, so ticks queued while no worker runs do not pile up.
"""

from django.db import DEFAULT_DB_ALIAS

# name -> (task, every seconds or crontab dict)
PERIODIC_TASKS = {
    "notifications: relay outbox": ("notifications.relay", 30),
    "notifications: sweep reminders": ("notifications.reminders_sweep", 30),
    # Idempotent (a unique constraint asks each engagement once), so a doubled tick is harmless.
    "checklists: ask day-30 satisfaction": ("checklists.ask_day30_satisfaction", 3600),
}


def periodic_tasks_ensure(sender=None, using=DEFAULT_DB_ALIAS, **kwargs):
    from django.apps import apps

    if not apps.is_installed("django_celery_beat"):
        return
    from django_celery_beat.models import (
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
    )

    for name, (task, when) in PERIODIC_TASKS.items():
        if PeriodicTask.objects.using(using).filter(name=name).exists():
            continue  # An admin may have edited it: leave it alone.
        if isinstance(when, int):
            interval, _ = IntervalSchedule.objects.using(using).get_or_create(
                every=when, period=IntervalSchedule.SECONDS
            )
            PeriodicTask.objects.using(using).create(name=name, task=task, interval=interval, expire_seconds=when)
        else:
            crontab, _ = CrontabSchedule.objects.using(using).get_or_create(timezone="UTC", **when)
            # A weekly tick may wait an hour for a worker; later it is pointless (the next week's comes).
            PeriodicTask.objects.using(using).create(name=name, task=task, crontab=crontab, expire_seconds=3600)
    # Recurring reminders that must exist once (the weekly CSM digest): rows, like every other due time.
    from checklists.reminders import weekly_digest_ensure

    weekly_digest_ensure()
