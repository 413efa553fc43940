"""Why someone is away. Absences recorded before (PM absences, with a free note) get "other"."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_staffabsence")]

    operations = [
        migrations.AddField(
            model_name="staffabsence",
            name="reason",
            field=models.CharField(
                choices=[
                    ("holiday", "Holiday"),
                    ("sick", "Sick leave"),
                    ("training", "Training or travel"),
                    ("other", "Other"),
                ],
                default="other",
                max_length=20,
                verbose_name="reason",
            ),
        ),
    ]
