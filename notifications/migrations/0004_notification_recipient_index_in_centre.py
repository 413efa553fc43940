import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The index Django made for the foreign key in 0001 (its name is derived from the table and column).
INDEX = "notifications_notification_recipient_id_d055f3f0"


class Migration(migrations.Migration):
    """The outbox's recipient loses its index of its own: ``notification_centre`` starts with the recipient and serves
    every lookup by recipient (and a user's deletion). Only the index is dropped: altering the field in the database
    would drop and re-add its foreign key, which checks every outbox row again under a lock."""

    dependencies = [
        ("notifications", "0003_notification_fanout"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="notification",
                    name="recipient",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recipient",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "notifications_notification" ("recipient_id")',
                ),
            ],
        ),
    ]
