"""Each template's key is unique per language, once 0007 has given every existing template a key."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("checklists", "0007_default_template_translations")]

    operations = [
        migrations.AddConstraint(
            model_name='checklisttemplate',
            constraint=models.UniqueConstraint(fields=('key', 'language'), name='checklist_template_key_language_unique'),
        ),
    ]
