"""One word for the promise ledger: the ``Commitment`` model becomes ``Promise``.

- The table is renamed (``engagements_commitment`` -> ``engagements_promise``) and so is the content type (Django
  adds that step to every ``RenameModel``), so reminders, notifications and admin-log rows keep their target; the
  permissions follow (``add_commitment`` -> ``add_promise``...), so groups keep what they were given.
- The related names (``engagement.promises``, ``user.promises``), the labels and the partial indexes follow.
"""

from django.conf import settings
from django.db import migrations, models

import engagements.hooks

ACTIONS = ("add", "change", "delete", "view")


def _rename_permissions(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type = ContentType.objects.filter(app_label="engagements", model__in=[old, new]).first()
    if content_type is None:
        return  # A fresh database: post_migrate creates the permissions under the new name.
    for action in ACTIONS:
        if Permission.objects.filter(content_type=content_type, codename=f"{action}_{new}").exists():
            continue
        Permission.objects.filter(content_type=content_type, codename=f"{action}_{old}").update(
            codename=f"{action}_{new}", name=f"Can {action} {new}"
        )


def permissions_forwards(apps, schema_editor):
    _rename_permissions(apps, "commitment", "promise")


def permissions_backwards(apps, schema_editor):
    _rename_permissions(apps, "promise", "commitment")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("engagements", "0017_promise_templates_from_governance"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("Commitment", "Promise"),
        migrations.RunPython(permissions_forwards, permissions_backwards),
        migrations.AlterModelOptions(
            name="promise",
            options={"ordering": ["due_at", "pk"], "verbose_name": "promise", "verbose_name_plural": "promises"},
        ),
        migrations.AlterField(
            model_name="promise",
            name="engagement",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE, related_name="promises", to="engagements.engagement"
            ),
        ),
        migrations.AlterField(
            model_name="promise",
            name="owner",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT,
                related_name="promises",
                to=settings.AUTH_USER_MODEL,
                verbose_name="owner",
            ),
        ),
        migrations.AlterField(
            model_name="promise",
            name="description",
            field=models.CharField(max_length=500, verbose_name="promise"),
        ),
        migrations.AlterField(
            model_name="promise",
            name="source",
            field=models.CharField(
                choices=engagements.hooks.promise_source_choices, default="sales", max_length=30, verbose_name="source"
            ),
        ),
        migrations.RenameIndex(model_name="promise", new_name="promise_open_due", old_name="commitment_open_due"),
        migrations.RenameIndex(
            model_name="promise", new_name="promise_unbroken_due", old_name="commitment_unbroken_due"
        ),
    ]
