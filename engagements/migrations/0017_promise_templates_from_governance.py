"""The promise ledger's notices moved from governance to engagements with their email templates: the notifications
and fan-outs already written name the old templates, so they are renamed here (the relay renders a row's template
when it leaves, and a digest when it is built)."""

from django.db import migrations

RENAMED = {
    "governance/email/promise_due": "engagements/email/promise_due",
    "governance/email/promise_broken": "engagements/email/promise_broken",
}


def _rename(apps, mapping):
    for model in ("Notification", "NotificationFanout"):
        rows = apps.get_model("notifications", model).objects
        for old, new in mapping.items():
            rows.filter(template=old).update(template=new)


def forwards(apps, schema_editor):
    _rename(apps, RENAMED)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0016_resourcelink_client_visible"),
        ("notifications", "0004_notification_recipient_index_in_centre"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
