"""One vocabulary: the ``Obligation`` model becomes ``Commitment``, something either side promised, with an
owner on that side and a due *time*. In three steps, each its own transaction (PostgreSQL refuses to alter a table
in the transaction that just updated its rows): this one renames and adds, 0010 moves the data, 0011 tightens.

- The table is renamed (``engagements_obligation`` -> ``engagements_commitment``) and so is the content type
  (Django adds that step to every ``RenameModel``), so generic references keep their target; the permissions
  follow (``add_obligation`` -> ``add_commitment``...), so groups keep what they were given.
- Every existing commitment was the vendor's (``side``).
"""

from django.conf import settings
from django.db import migrations, models

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
    _rename_permissions(apps, "obligation", "commitment")


def permissions_backwards(apps, schema_editor):
    _rename_permissions(apps, "commitment", "obligation")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("engagements", "0008_checklists_move_to_own_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("Obligation", "Commitment"),
        migrations.RunPython(permissions_forwards, permissions_backwards),
        migrations.AlterModelOptions(
            name="commitment",
            options={"ordering": ["due_on", "pk"], "verbose_name": "commitment", "verbose_name_plural": "commitments"},
        ),
        migrations.AddField(
            model_name="commitment",
            name="side",
            field=models.CharField(
                choices=[("vendor", "Vendor"), ("client", "Client")],
                default="vendor",
                max_length=10,
                verbose_name="promised by",
            ),
        ),
        migrations.AddField(
            model_name="commitment", name="due_at", field=models.DateTimeField(null=True, verbose_name="due")
        ),
        # Nullable while the data moves, so that going back can fill it before it is required again.
        migrations.AlterField(
            model_name="commitment", name="due_on", field=models.DateField(null=True, verbose_name="due date")
        ),
        migrations.AlterField(
            model_name="commitment",
            name="status",
            field=models.CharField(
                choices=[("open", "Open"), ("done", "Kept"), ("kept", "Kept"), ("dropped", "Dropped")],
                default="open",
                max_length=20,
                verbose_name="status",
            ),
        ),
    ]
