"""The shipped default cadences, put back when a database has none at all (a flushed test database).

The data is written once per language, as the frozen copies in migrations 0002 (English, German) and 0004 (Polish);
an admin's edits or deletions of single cadences are kept, because this only runs on an empty table."""

import importlib

from django.apps import apps

# Each migration that ships default cadence rows, with the function that creates them.
SHIPPING_MIGRATIONS = [
    ("0002_default_cadences", "create_default_cadences"),
    ("0004_default_cadences_polish", "create_polish_cadences"),
]


def default_cadences_ensure() -> None:
    if apps.get_model("governance", "CadenceTemplate").objects.exists():
        return
    for module, function in SHIPPING_MIGRATIONS:
        getattr(importlib.import_module(f"governance.migrations.{module}"), function)(apps, None)
