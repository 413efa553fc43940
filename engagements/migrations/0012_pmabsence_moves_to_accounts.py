"""PM absences become staff absences in accounts, as anyone on the team may be away: the table is renamed
``accounts_staffabsence`` here and this app's state forgets the model, which
``accounts/migrations/0005_staffabsence.py`` then declares (with the content type and permissions renamed there).
Rows stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0011_commitment_due_time_required"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable(name="pmabsence", table="accounts_staffabsence")],
            state_operations=[migrations.DeleteModel(name="PmAbsence")],
        ),
    ]
