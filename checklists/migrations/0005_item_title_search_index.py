"""A full-text index over checklist item titles, for the staff search box (``portfolio/search.py``) on PostgreSQL.

The index is on exactly the expression the search filters by (``SearchVector("title", config="simple")``), so the
planner uses it. SQLite (a first look, development) has no such index and searches by ``LIKE`` instead, so the
migration does nothing there."""

from django.db import migrations

INDEX = "checklist_item_title_search"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON checklists_checklistitem "
        "USING gin (to_tsvector('simple'::regconfig, COALESCE(title, '')))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("checklists", "0004_items_close_with_a_decision")]

    operations = [migrations.RunPython(create, drop)]
