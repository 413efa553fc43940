"""The day-30 satisfaction task moved from ``engagements.tasks`` to checklists (registered as
``checklists.ask_day30_satisfaction``): the beat row keeps its schedule (and any admin edit) under the new names."""

from django.db import migrations

OLD = ("engagements: ask day-30 satisfaction", "engagements.tasks.ask_day30_satisfaction")
NEW = ("checklists: ask day-30 satisfaction", "checklists.ask_day30_satisfaction")


def _rename(apps, source, target):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=target[0]).exists():
        # Created by an earlier migrate under the new name: the old row would only name a task that is gone.
        PeriodicTask.objects.filter(name=source[0]).delete()
        return
    PeriodicTask.objects.filter(name=source[0]).update(name=target[0], task=target[1])


def forwards(apps, schema_editor):
    _rename(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _rename(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
