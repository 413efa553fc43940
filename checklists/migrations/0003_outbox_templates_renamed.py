"""Checklist mail templates live with checklists now (``templates/checklists/email/``). The outbox stores each
notification's template name and renders it when it sends (a held digest may send days later, and an admin may
retry a failed one), so rows written under an earlier name are renamed too."""

from django.db import migrations

# Earlier name(s) -> today's. The reminder mails were under notifications/ before the apps were split into layers, briefly under
# engagements/ while the restructure was under way; the decision mails were under engagements/.
RENAMED = {
    "notifications/email/checklist_due_soon": "checklists/email/checklist_due_soon",
    "notifications/email/checklist_overdue": "checklists/email/checklist_overdue",
    "notifications/email/checklist_csm_weekly": "checklists/email/checklist_csm_weekly",
    "engagements/email/checklist_due_soon": "checklists/email/checklist_due_soon",
    "engagements/email/checklist_overdue": "checklists/email/checklist_overdue",
    "engagements/email/checklist_csm_weekly": "checklists/email/checklist_csm_weekly",
    "engagements/email/rejection": "checklists/email/rejection",
    "engagements/email/satisfaction_day30": "checklists/email/satisfaction_day30",
}


def forwards(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    for old, new in RENAMED.items():
        Notification.objects.filter(template=old).update(template=new)


def backwards(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    # Back to the previous layout's names (the first earlier name of each).
    for new in dict.fromkeys(RENAMED.values()):
        old = next(old for old, target in RENAMED.items() if target == new)
        Notification.objects.filter(template=new).update(template=old)


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0002_day30_task_renamed"),
        ("notifications", "0002_category_choices_from_registry"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
