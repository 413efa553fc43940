"""Commitments, step 3 of 3 (see 0009): due times are required, due dates go, the choices and index are final."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Q

import engagements.hooks


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0010_commitment_due_times"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="commitment",
            options={"ordering": ["due_at", "pk"], "verbose_name": "commitment", "verbose_name_plural": "commitments"},
        ),
        migrations.AlterField(model_name="commitment", name="due_at", field=models.DateTimeField(verbose_name="due")),
        migrations.RemoveField(model_name="commitment", name="due_on"),
        migrations.AlterField(
            model_name="commitment",
            name="status",
            field=models.CharField(
                choices=[("open", "Open"), ("kept", "Kept"), ("dropped", "Dropped")],
                default="open",
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="commitment",
            name="source",
            field=models.CharField(
                choices=engagements.hooks.commitment_source_choices,
                default="sales",
                max_length=30,
                verbose_name="source",
            ),
        ),
        migrations.AlterField(
            model_name="commitment",
            name="engagement",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE, related_name="commitments", to="engagements.engagement"
            ),
        ),
        migrations.AlterField(
            model_name="commitment",
            name="owner",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT,
                related_name="commitments",
                to=settings.AUTH_USER_MODEL,
                verbose_name="owner",
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(condition=Q(status="open"), fields=["due_at"], name="commitment_open_due"),
        ),
    ]
