"""Whether the audit trail is recorded: PostgreSQL (its triggers write the trail) and ``AUDIT_TRAIL`` on.

On SQLite (a first run without ``DATABASE_URL``) the event tables exist, migrations run, and nothing is recorded:
pgtrigger installs no trigger there, and no context is sent (pghistory's context is a PostgreSQL session variable).
The pages say so (``trail_on``)."""

from django.conf import settings
from django.db import connection


def trail_on() -> bool:
    return connection.vendor == "postgresql" and getattr(settings, "AUDIT_TRAIL", True)
