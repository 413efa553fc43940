"""The shipped default cadences, put back when a database has none at all (a flushed test database).

The data is written once, as the frozen copy in migration 0002; an admin's edits or deletions of single cadences
are kept, because this only runs on an empty table."""

import importlib

from django.apps import apps


def default_cadences_ensure() -> None:
    if apps.get_model("governance", "CadenceTemplate").objects.exists():
        return
    importlib.import_module("governance.migrations.0002_default_cadences").create_default_cadences(apps, None)
