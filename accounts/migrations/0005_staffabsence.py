"""Staff absences, moved here from engagements' PM absences. The table was renamed by
``engagements/migrations/0012_pmabsence_moves_to_accounts.py``; this migration declares the model without touching
the database, renames its content type (``engagements.pmabsence`` -> ``accounts.staffabsence``) and permissions
before ``post_migrate`` could create new ones, and 0006 adds the reason."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

ACTIONS = ("add", "change", "delete", "view")


def _move(apps, old: tuple[str, str], new: tuple[str, str]) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    if ContentType.objects.filter(app_label=new[0], model=new[1]).exists():
        return  # Already there (never made by migrate itself): leave both as they are rather than collide.
    content_type = ContentType.objects.filter(app_label=old[0], model=old[1]).first()
    if content_type is None:
        return  # A fresh database: post_migrate creates the type and its permissions.
    content_type.app_label, content_type.model = new
    content_type.save(update_fields=["app_label", "model"])
    # The names ("Can add absence") follow the verbose name, which stays "absence".
    for action in ACTIONS:
        Permission.objects.filter(content_type=content_type, codename=f"{action}_{old[1]}").update(
            codename=f"{action}_{new[1]}"
        )


def forwards(apps, schema_editor):
    _move(apps, ("engagements", "pmabsence"), ("accounts", "staffabsence"))


def backwards(apps, schema_editor):
    _move(apps, ("accounts", "staffabsence"), ("engagements", "pmabsence"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_email_change"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("engagements", "0012_pmabsence_moves_to_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StaffAbsence",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("starts_on", models.DateField(verbose_name="from")),
                        ("ends_on", models.DateField(verbose_name="to")),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="created at"),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                limit_choices_to={
                                    "role__in": ["csm", "director", "executive", "pm", "team_member", "vendor_admin"]
                                },
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="absences",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="person",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "absence",
                        "verbose_name_plural": "absences",
                        "ordering": ["-starts_on"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("ends_on__gte", models.F("starts_on"))),
                                name="absence_ends_after_start",
                                violation_error_message="An absence ends on or after the day it starts.",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
