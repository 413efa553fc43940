"""How far each business calendar's public holidays are seeded (``services.calendars``).

A calendar that already lists holidays (seeded by an admin) counts as seeded through its last one, so the holidays
an admin deleted before are not added back; the days after it, and every calendar with a country but no holidays
(the shipped "Standard business hours" among them), are seeded by ``escalation_defaults_ensure`` right after this
``migrate`` and kept a year ahead by the daily tick."""

from django.db import migrations, models
from django.db.models import Max


def seeded_through_last_listed(apps, schema_editor):
    BusinessCalendar = apps.get_model("escalations", "BusinessCalendar")
    for calendar in BusinessCalendar.objects.annotate(last=Max("holidays__date")).filter(last__isnull=False):
        BusinessCalendar.objects.filter(pk=calendar.pk).update(holidays_seeded_through=calendar.last)


class Migration(migrations.Migration):
    dependencies = [
        ("escalations", "0007_flag_attachment_event"),
    ]

    operations = [
        migrations.AddField(
            model_name="businesscalendar",
            name="holidays_seeded_through",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text="Public holidays of the country are added automatically for the days after this one.",
                null=True,
                verbose_name="holidays seeded through",
            ),
        ),
        migrations.RunPython(seeded_through_last_listed, migrations.RunPython.noop),
    ]
