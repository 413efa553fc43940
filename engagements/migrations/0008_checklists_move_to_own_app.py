"""Checklists move to their own app: their tables are renamed ``checklists_*`` here, and this app's
migration state forgets the models, which ``checklists/migrations/0001_initial.py`` then declares without touching
the database. Rows, keys and constraints stay as they are; the content types follow in that migration."""

from django.db import migrations

# The moved models, children first (the order the renames and the reverse renames can run in).
MOVED = [
    "itemcomment",
    "itemevent",
    "satisfactionscore",
    "stageacceptance",
    "stageactual",
    "checklistitem",
    "checkliststage",
    "templateitem",
    "templatestage",
    "checklisttemplate",
]


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0007_stage_actual_totals_removed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name=model, table=f"checklists_{model}") for model in MOVED
            ],
            state_operations=[
                migrations.RemoveField(
                    model_name="itemcomment",
                    name="item",
                ),
                migrations.RemoveField(
                    model_name="itemevent",
                    name="item",
                ),
                migrations.RemoveField(
                    model_name="checkliststage",
                    name="engagement",
                ),
                migrations.RemoveField(
                    model_name="stageacceptance",
                    name="stage",
                ),
                migrations.RemoveField(
                    model_name="stageactual",
                    name="stage",
                ),
                migrations.RemoveField(
                    model_name="templatestage",
                    name="template",
                ),
                migrations.RemoveField(
                    model_name="itemcomment",
                    name="author",
                ),
                migrations.RemoveField(
                    model_name="itemevent",
                    name="actor",
                ),
                migrations.RemoveField(
                    model_name="satisfactionscore",
                    name="acceptance",
                ),
                migrations.RemoveField(
                    model_name="satisfactionscore",
                    name="answered_by",
                ),
                migrations.RemoveField(
                    model_name="satisfactionscore",
                    name="engagement",
                ),
                migrations.RemoveField(
                    model_name="stageacceptance",
                    name="decided_by",
                ),
                migrations.RemoveField(
                    model_name="stageacceptance",
                    name="engagement",
                ),
                migrations.RemoveField(
                    model_name="stageactual",
                    name="recorded_by",
                ),
                migrations.RemoveField(
                    model_name="templateitem",
                    name="stage",
                ),
                migrations.DeleteModel(
                    name="ChecklistItem",
                ),
                migrations.DeleteModel(
                    name="ChecklistStage",
                ),
                migrations.DeleteModel(
                    name="ChecklistTemplate",
                ),
                migrations.DeleteModel(
                    name="ItemComment",
                ),
                migrations.DeleteModel(
                    name="ItemEvent",
                ),
                migrations.DeleteModel(
                    name="SatisfactionScore",
                ),
                migrations.DeleteModel(
                    name="StageAcceptance",
                ),
                migrations.DeleteModel(
                    name="StageActual",
                ),
                migrations.DeleteModel(
                    name="TemplateItem",
                ),
                migrations.DeleteModel(
                    name="TemplateStage",
                ),
            ],
        ),
    ]
