"""Commitments, step 2 of 3 (see 0009): the data.

- Each due date becomes a due time at 12:00 in the server's zone (``TIME_ZONE``): noon keeps the same calendar day
  for anyone within eleven hours of the server, and a date said nothing finer. Going back takes the date of that
  time in the same zone.
- "done" is spelled "kept", as the pages always said.
"""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations


def _zone():
    return ZoneInfo(settings.TIME_ZONE)


def due_dates_to_times(apps, schema_editor):
    Commitment = apps.get_model("engagements", "Commitment")
    zone = _zone()
    for commitment in Commitment.objects.filter(due_at__isnull=True).only("pk", "due_on").iterator():
        due_at = datetime.combine(commitment.due_on, time(12, 0), tzinfo=zone)
        Commitment.objects.filter(pk=commitment.pk).update(due_at=due_at)
    Commitment.objects.filter(status="done").update(status="kept")


def due_times_to_dates(apps, schema_editor):
    Commitment = apps.get_model("engagements", "Commitment")
    zone = _zone()
    for commitment in Commitment.objects.all().only("pk", "due_at").iterator():
        Commitment.objects.filter(pk=commitment.pk).update(due_on=commitment.due_at.astimezone(zone).date())
    Commitment.objects.filter(status="kept").update(status="done")


class Migration(migrations.Migration):
    dependencies = [("engagements", "0009_obligation_becomes_commitment")]

    operations = [migrations.RunPython(due_dates_to_times, due_times_to_dates)]
