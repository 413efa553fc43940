"""Write the previous-layout snapshot from the commit checked out (see README.md in this folder).

    .venv/bin/python tests/migration_snapshot/make_snapshot.py [--allow-dirty] [--keep-database] [--pg-dump PATH]

It creates a throwaway PostgreSQL database (``op_snapshot_<random>``) on the server of ``DATABASE_URL`` (only
its host, port, user and password are used; default postgres@127.0.0.1:5432), runs ``migrate`` and
``seed_demo``, runs every periodic task (reminder sweep, outbox relay, day-30 satisfaction, ...) twice, writes
``previous_layout.sql.gz`` (``pg_dump --no-owner --no-privileges --format=plain``) and ``previous_layout.json``
(the commit, the rows per table, the generic references and the spot-check facts), and drops the database.
Nothing leaves the machine: mail goes to memory and Celery's broker is in-process.
"""

import argparse
import gzip
import io
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.migration_snapshot import snapshot  # noqa: E402  (needs ROOT on the path)

OUTPUTS = {snapshot.DUMP_PATH, snapshot.MANIFEST_PATH}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--allow-dirty", action="store_true", help="include uncommitted changes (a trial run)")
    parser.add_argument("--keep-database", action="store_true", help="leave the database for inspection")
    parser.add_argument("--pg-dump", default="pg_dump", help=f"a pg_dump of PostgreSQL {snapshot.PG_MAJOR}")
    args = parser.parse_args()

    commit, subject, dirty = _git_state()
    if dirty and not args.allow_dirty:
        return _fail(
            "the working tree has uncommitted changes, so the snapshot would not be the commit it names:\n"
            + "\n".join(dirty)
            + "\ncommit or stash them, or pass --allow-dirty for a trial run."
        )
    pg_dump_version = _pg_dump_version(args.pg_dump)
    import environ

    db = environ.Env.db_url_config(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    if db["ENGINE"] != "django.db.backends.postgresql":
        return _fail(f"DATABASE_URL must name a PostgreSQL server, not {db['ENGINE']}.")
    if (major := snapshot.server_major(db)) != snapshot.PG_MAJOR:
        return _fail(f"the server runs PostgreSQL {major}; the snapshot is made on {snapshot.PG_MAJOR}, as CI runs.")

    name = f"op_snapshot_{secrets.token_hex(4)}"
    snapshot.database_create(db, name)
    print(f"Database {name} (commit {commit[:12]}{' + uncommitted changes' if dirty else ''})")
    try:
        with tempfile.TemporaryDirectory(prefix="op-snapshot-") as var_dir:
            os.environ.update(
                {
                    "DATABASE_URL": snapshot.database_url(db, name),
                    "CELERY_BROKER_URL": "memory://localhost/",
                    "EMAIL_URL": "memorymail://",
                    "VAR_DIR": var_dir,
                    "UPLOAD_ROOT": str(Path(var_dir) / "uploads"),
                    "PRODUCTION": "false",
                    "DEBUG": "false",
                }
            )
            os.environ["DJANGO_SETTINGS_MODULE"] = "onboarding_portal.settings"
            periodic_tasks = _fill()
            manifest = _describe(
                db,
                name,
                commit=commit,
                subject=subject,
                dirty=bool(dirty),
                pg_dump_version=pg_dump_version,
                periodic_tasks=periodic_tasks,
            )
        dump = subprocess.run(
            [args.pg_dump, "--no-owner", "--no-privileges", "--format=plain", "--dbname", snapshot.conninfo(db, name)],
            check=True,
            capture_output=True,
        ).stdout
        _write(dump, manifest)
    finally:
        if args.keep_database:
            print(f"Kept database {name}.")
        else:
            snapshot.database_drop(db, name)
    tables = manifest["tables"]
    print(
        f"Wrote {snapshot.DUMP_PATH.name} ({snapshot.DUMP_PATH.stat().st_size:,} bytes) and "
        f"{snapshot.MANIFEST_PATH.name}: {len(tables)} tables, {sum(tables.values()):,} rows, "
        f"{sum(1 for rows in tables.values() if rows)} tables with rows."
    )
    return 0


def _fill() -> list[str]:
    """migrate, seed_demo, then every periodic task, in this process (Django is set up here, on the new database)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    from onboarding_portal.celery import app

    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    _add_what_seed_demo_leaves_out()
    app.loader.import_default_modules()
    tasks = list(
        PeriodicTask.objects.filter(enabled=True)
        .exclude(task="celery.backend_cleanup")
        .order_by("name")
        .values_list("task", flat=True)
    )
    # Twice over: the relay ticks before the sweep has written its notifications, and the second round sends
    # them. Each task is idempotent (beat may double a tick anyway), so the second round repeats nothing else.
    for _round in range(2):
        for task in tasks:
            app.tasks[task].apply(throw=True)
    return tasks


def _add_what_seed_demo_leaves_out() -> None:
    """Rows, made through the services, for tables seed_demo leaves empty but a move could lose: a stage the
    client rejected (a rework item, its reminders and notifications), comments, a resource link, a pending
    invitation (its email points at it), one person's digest preference (a daily digest reminder pointing at
    them) and the admin's change history of the checklist template (a content type and object id pair)."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.db import transaction

    from accounts.models import Role, User
    from accounts.services import invitation_create
    from engagements import services
    from engagements.models import ChecklistItem, ChecklistTemplate, Decision, Engagement, ResourceLinkKind, Side
    from notifications.services import preferences_update

    people = {user.email: user for user in User.objects.all()}
    anna, ben, admin = (people[f"{name}@northwind.example"] for name in ("csm.anna", "csm.ben", "admin"))
    key_user = people["keyuser@acme.example"]
    with transaction.atomic():
        acme = Engagement.objects.get(client__slug="acme-logistics", name="Warehouse platform rollout")
        stage = acme.stages.filter(acceptance_required=True).order_by("position").first()
        services.acceptance_decide(
            by=key_user,
            engagement=acme,
            stage=stage,
            decision=Decision.REJECTED,
            reason="The access list leaves out the Gdansk warehouse.",
        )
        item = ChecklistItem.objects.filter(stage__engagement=acme, owner_side=Side.CLIENT).order_by("pk").first()
        services.item_comment_add(by=key_user, item=item, body="Our firewall team needs the IP ranges first.")
        services.item_comment_add(by=anna, item=item, body="Chase their firewall team on Monday.", is_internal=True)
        services.resource_link_save(
            by=anna, engagement=acme, kind=ResourceLinkKind.BOARD, title="Sprint board", url="https://jira.example.com"
        )
        invitation_create(
            by=anna,
            organization=acme.client,
            email="nina.neu@acme.example",
            full_name="Nina Neu (Acme)",
            role=Role.CLIENT_MEMBER,
        )
        preferences_update(user=ben, deliveries={"checklist": "digest"}, digest_hour=8)
        LogEntry.objects.log_actions(
            admin.pk,
            ChecklistTemplate.objects.order_by("pk"),
            CHANGE,
            change_message=[{"changed": {"fields": ["Description"]}}],
        )


def _describe(db, name, **about) -> dict:
    import django
    from django.db import DEFAULT_DB_ALIAS, connections

    with psycopg.connect(snapshot.conninfo(db, name)) as conn:
        tables = snapshot.table_rows(conn)
    manifest = {
        "commit": about["commit"],
        "commit_subject": about["subject"],
        "uncommitted_changes": about["dirty"],
        "made_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "django": django.get_version(),
        "pg_dump": about["pg_dump_version"],
        "made_by": "migrate; seed_demo; every enabled periodic task, twice over: " + ", ".join(about["periodic_tasks"]),
        "tables": tables,
        "generic_references": snapshot.generic_references(DEFAULT_DB_ALIAS),
        "facts": snapshot.facts(DEFAULT_DB_ALIAS),
    }
    connections.close_all()
    return manifest


def _write(dump: bytes, manifest: dict) -> None:
    header = (
        "-- The Onboarding Portal's database at the previous layout, filled by seed_demo.\n"
        f"-- Commit: {manifest['commit']} ({manifest['commit_subject']})\n"
        "-- Made by tests/migration_snapshot/make_snapshot.py; restored and migrated by\n"
        "-- tests/test_migration_from_previous_layout.py. See tests/migration_snapshot/README.md.\n\n"
    ).encode()
    # mtime=0 and no file name: the same dump gives the same bytes.
    with open(snapshot.DUMP_PATH, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as out:
        out.write(header + dump)
    snapshot.MANIFEST_PATH.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _git_state() -> tuple[str, str, list[str]]:
    def git(*argv):
        return subprocess.run(["git", *argv], cwd=ROOT, check=True, capture_output=True, text=True).stdout

    commit = git("rev-parse", "HEAD").strip()
    subject = git("log", "-1", "--format=%s").strip()
    # Untracked files count too (a new migration would change the data); the outputs themselves do not.
    outputs = {str(path.relative_to(ROOT)) for path in OUTPUTS}
    dirty = [
        line
        for line in git("status", "--porcelain", "--untracked-files=all").splitlines()
        if line[3:].strip() not in outputs
    ]
    return commit, subject, dirty


def _pg_dump_version(pg_dump: str) -> str:
    try:
        version = subprocess.run([pg_dump, "--version"], check=True, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as error:
        raise SystemExit(f"make_snapshot: cannot run {pg_dump}: {error}") from error
    match = re.search(r"\b(\d+)\.\d+", version)
    if not match or int(match.group(1)) != snapshot.PG_MAJOR:
        raise SystemExit(
            f"make_snapshot: {version!r} is not pg_dump {snapshot.PG_MAJOR}; pass --pg-dump "
            f"/usr/lib/postgresql/{snapshot.PG_MAJOR}/bin/pg_dump (its plain SQL must load into PostgreSQL "
            f"{snapshot.PG_MAJOR}, as CI runs)."
        )
    return version


def _fail(message: str) -> int:
    print(f"make_snapshot: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
