"""Data is kept (issue 7): a database filled by seed_demo at the previous layout, migrated to today's code, still
holds every row, every generic reference (a reminder's or notification's target, the admin's history) still finds
the same object, and the engagements still have their people, key users, checklists and promises.

The snapshot is ``tests/migration_snapshot/previous_layout.sql.gz`` with its manifest (README.md there). The
fixture restores it into a throwaway database, runs ``manage.py migrate`` on it in another process (what a
release runs, post-migrate handlers included), collects what the database holds, and drops it. Each check is a
function of plain data, so the checks are also tested on made-up data below: a check that cannot fail proves
nothing. Set ``KEEP_PREVIOUS_LAYOUT_DB=1`` to keep the migrated database for a look.
"""

import copy
import json
import os
import secrets
import subprocess
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from tests.migration_snapshot import snapshot

# Tables a migration renamed: the previous layout's name -> today's. One line each, for example
#     "engagements_checklistitem": "checklists_checklistitem",
# Two old tables may go to one new table (a merge); it must then hold the rows of both.
RENAMED_TABLES: dict[str, str] = {
    # Checklists became their own app (engagements 0008).
    "engagements_checklisttemplate": "checklists_checklisttemplate",
    "engagements_templatestage": "checklists_templatestage",
    "engagements_templateitem": "checklists_templateitem",
    "engagements_checkliststage": "checklists_checkliststage",
    "engagements_checklistitem": "checklists_checklistitem",
    "engagements_itemcomment": "checklists_itemcomment",
    "engagements_itemevent": "checklists_itemevent",
    "engagements_stageacceptance": "checklists_stageacceptance",
    "engagements_satisfactionscore": "checklists_satisfactionscore",
    "engagements_stageactual": "checklists_stageactual",
    # One vocabulary: an obligation became a commitment (engagements 0009), then a promise (engagements 0018).
    "engagements_obligation": "engagements_promise",
    # PM absences became staff absences (engagements 0010, accounts 0005).
    "engagements_pmabsence": "accounts_staffabsence",
}

# Tables dropped on purpose, with where their rows went. Rows of a table listed here are not looked for.
RETIRED_TABLES: dict[str, str] = {}

THIS_FILE = "tests/test_migration_from_previous_layout.py"


@dataclass
class Migrated:
    """What the throwaway database held right after the restore and after migrate."""

    rows_before: dict[str, int]
    ids_before: dict[str, set[str]]
    rows_after: dict[str, int]
    ids_after: dict[str, set[str]]
    unapplied: list[str]
    content_type_references: dict[int, list[str]]
    content_types: dict[int, tuple[str, bool]]
    generic_references: dict[str, dict[str, list]]
    facts: dict
    seconds: dict[str, float]


@pytest.fixture(scope="module")
def manifest():
    assert snapshot.DUMP_PATH.exists(), f"{snapshot.DUMP_PATH} is missing: see tests/migration_snapshot/README.md"
    return json.loads(snapshot.MANIFEST_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def migrated(django_db_blocker, tmp_path_factory) -> Migrated:
    db = settings.DATABASES[DEFAULT_DB_ALIAS]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("The migration test restores a PostgreSQL dump: set DATABASE_URL to a PostgreSQL server.")
    name = f"{db['NAME'][:40]}_prev_{secrets.token_hex(4)}"
    seconds = {}
    snapshot.database_create(db, name)
    try:
        started = time.monotonic()
        snapshot.restore(snapshot.conninfo(db, name))
        seconds["restore"] = time.monotonic() - started
        with psycopg.connect(snapshot.conninfo(db, name)) as conn:
            rows_before, ids_before = snapshot.table_rows(conn), snapshot.table_ids(conn)
        started = time.monotonic()
        _migrate(db, name, var_dir=tmp_path_factory.mktemp("previous-layout"))
        seconds["migrate"] = time.monotonic() - started
        with psycopg.connect(snapshot.conninfo(db, name)) as conn:
            rows_after, ids_after = snapshot.table_rows(conn), snapshot.table_ids(conn)
            content_type_references = snapshot.content_type_references(conn)
        with django_db_blocker.unblock(), _alias_for(name) as alias:
            from django.contrib.contenttypes.models import ContentType
            from django.db.migrations.executor import MigrationExecutor

            executor = MigrationExecutor(connections[alias])
            unapplied = [str(migration) for migration, _ in executor.migration_plan(executor.loader.graph.leaf_nodes())]
            content_types = {
                ct.pk: (f"{ct.app_label}.{ct.model}", ct.model_class() is not None)
                for ct in ContentType.objects.using(alias).all()
            }
            return Migrated(
                rows_before=rows_before,
                ids_before=ids_before,
                rows_after=rows_after,
                ids_after=ids_after,
                unapplied=unapplied,
                content_type_references=content_type_references,
                content_types=content_types,
                generic_references=snapshot.generic_references(alias),
                facts=snapshot.facts(alias),
                seconds=seconds,
            )
    finally:
        if os.environ.get("KEEP_PREVIOUS_LAYOUT_DB"):
            print(f"\nKept the migrated previous-layout database {name}.")
        else:
            snapshot.database_drop(db, name)


def _migrate(db: dict, name: str, *, var_dir) -> None:
    """``manage.py migrate`` on database ``name``, in its own process: its own connections and app registry,
    and post-migrate handlers writing to that database (they use the default alias)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "onboarding_portal.settings",
        "DATABASE_URL": snapshot.database_url(db, name),
        # Whatever migrate's handlers enqueue or mail stays in that process.
        "CELERY_BROKER_URL": "memory://localhost/",
        "EMAIL_URL": "memorymail://",
        "VAR_DIR": str(var_dir),
        "PRODUCTION": "false",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        pytest.fail(
            "manage.py migrate failed on the previous layout's data:\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-6000:]}",
            pytrace=False,
        )


@contextmanager
def _alias_for(name: str):
    """A temporary DATABASES alias for database ``name`` on the default server, removed again afterwards."""
    alias = f"previous_layout_{secrets.token_hex(3)}"
    config = copy.deepcopy(connections.databases[DEFAULT_DB_ALIAS])
    config.update(NAME=name, CONN_MAX_AGE=0)
    connections.databases[alias] = config
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.databases[alias]


# --- The checks, as functions of plain data --------------------------------------------------------------------------


def _targets(renamed: dict[str, str], retired: dict[str, str], tables) -> dict[str, list[str]]:
    """Today's table -> the previous layout's tables whose rows it must hold."""
    sources = defaultdict(list)
    for table in tables:
        if table not in retired:
            sources[renamed.get(table, table)].append(table)
    return sources


def table_problems(before: dict[str, int], after: dict[str, int], *, renamed=None, retired=None) -> list[str]:
    renamed = RENAMED_TABLES if renamed is None else renamed
    retired = RETIRED_TABLES if retired is None else retired
    problems = [
        f"RENAMED_TABLES names {old!r}, which the snapshot does not have." for old in renamed if old not in before
    ] + [f"RETIRED_TABLES names {old!r}, which the snapshot does not have." for old in retired if old not in before]
    for table, sources in sorted(_targets(renamed, retired, before).items()):
        expected = sum(before[source] for source in sources)
        if table not in after:
            if sources == [table]:
                problems.append(
                    f"Table {table} (rows at the previous layout: {expected}) does not exist after migrate. If a "
                    f"migration renamed it, add {table!r}: '<new name>', to RENAMED_TABLES in {THIS_FILE}; if it was "
                    "dropped on purpose, add it to RETIRED_TABLES with where its rows went."
                )
            else:
                problems.append(f"RENAMED_TABLES sends {sources} to {table}, which does not exist after migrate.")
        elif after[table] < expected:
            problems.append(
                f"Table {table} holds {after[table]} rows after migrate, but {expected} before (from {sources})."
            )
    return problems


def id_problems(before: dict[str, set], after: dict[str, set], *, renamed=None, retired=None) -> list[str]:
    """A kept row keeps its id: foreign keys and generic references hold ids. (A merged table may renumber,
    so only tables with a single source are compared.)"""
    renamed = RENAMED_TABLES if renamed is None else renamed
    retired = RETIRED_TABLES if retired is None else retired
    problems = []
    for table, sources in sorted(_targets(renamed, retired, before).items()):
        if len(sources) != 1 or not before[sources[0]]:
            continue
        if table not in after:
            problems.append(f"Table {table} has no id column after migrate (it had one before), or is gone.")
            continue
        missing = before[sources[0]] - after[table]
        if missing:
            shown = ", ".join(sorted(missing, key=lambda value: (len(value), value))[:10])
            problems.append(f"Table {table} lost {len(missing)} ids that {sources[0]} had: {shown}.")
    return problems


def generic_reference_problems(before: dict, after: dict, *, renamed=None) -> list[str]:
    """Every generic reference of the previous layout still points at the same row (its table mapped through
    RENAMED_TABLES, the same id), and finds it if it did before; one added by migrate finds its object.
    Rows with the same problem are reported together."""
    renamed = RENAMED_TABLES if renamed is None else renamed
    grouped: dict[str, list[str]] = defaultdict(list)
    previous = {}  # today's key -> the previous layout's rows
    for key, rows in sorted(before.items()):
        table, field = key.split(".", 1)
        key_after = f"{renamed.get(table, table)}.{field}"
        previous[key_after] = rows
        if key_after not in after:
            grouped[f"The generic reference {key} is gone after migrate (looked for {key_after})."].append("")
            continue
        for pk, (content_type, target_table, object_id, existed) in rows.items():
            now = after[key_after].get(pk)
            if now is None:
                grouped[f"{key_after}: rows that pointed at {content_type} are gone after migrate"].append(pk)
                continue
            now_type, now_table, now_id, exists = now
            expected_table = renamed.get(target_table, target_table)
            if now_table is None:
                problem = (
                    f"{key_after}: rows point at content type {now_type}, which has no model any more (rename the "
                    "content type to its model's new app label and name in the migration that moves the model)"
                )
            elif target_table is not None and now_table != expected_table:
                problem = f"{key_after}: rows that pointed at {expected_table} now point at {now_table}"
            elif now_id != object_id:
                problem = f"{key_after}: rows that pointed at a {content_type} now point at another id"
            elif existed and not exists:
                problem = f"{key_after}: rows no longer find their {now_type}"
            else:
                continue
            grouped[problem].append(pk)
    for key, rows in after.items():
        for pk, (now_type, now_table, _now_id, exists) in rows.items():
            if pk not in previous.get(key, {}) and (now_table is None or not exists):
                grouped[f"{key}: rows added by migrate point at a {now_type} that is not there"].append(pk)
    return [_with_rows(problem, pks) for problem, pks in sorted(grouped.items())]


def _with_rows(problem: str, pks: list[str]) -> str:
    pks = sorted((pk for pk in pks if pk), key=int)
    if not pks:
        return problem
    shown = ", ".join(pks[:10]) + (", ..." if len(pks) > 10 else "")
    return f"{problem}: {len(pks)} row(s), ids {shown}."


def content_type_problems(references: dict[int, list[str]], content_types: dict[int, tuple[str, bool]]) -> list[str]:
    """No row references a content type whose model no longer exists (a moved model's content type must be
    renamed, not left behind while a new one is created)."""
    problems = []
    for type_id, columns in sorted(references.items()):
        label, has_model = content_types.get(type_id, (f"id {type_id}", False))
        if not has_model:
            problems.append(
                f"Content type {label} (id {type_id}) has no model after migrate, yet {', '.join(columns)} reference "
                "it: rename it to its model's new app label and name in the migration that moves the model."
            )
    return problems


def fact_problems(before: dict, after: dict) -> list[str]:
    problems = []
    for pk, was in sorted(before["engagements"].items(), key=lambda item: int(item[0])):
        now = after["engagements"].get(pk)
        if now is None:
            problems.append(f"Engagement {pk} ({was['name']}) is gone after migrate.")
            continue
        for fact, value in sorted(was.items()):
            if now.get(fact) != value:
                problems.append(f"Engagement {pk} ({was['name']}): {fact} was {value!r}, is {now.get(fact)!r}.")
    if after["absences"] != before["absences"]:
        problems.append(f"Absences were {before['absences']}, are {after['absences']}.")
    return problems


def _report(problems: list[str]) -> None:
    if problems:
        pytest.fail("\n".join([f"{len(problems)} problem(s) after migrating the previous layout:", *problems]))


# --- The migration of the snapshot -----------------------------------------------------------------------------------


@pytest.mark.postgres
def test_the_snapshot_restores_exactly_as_it_was_made(migrated, manifest):
    assert migrated.rows_before == manifest["tables"]
    assert sum(migrated.rows_before.values()) > 500, "the snapshot should be seed_demo's data, not an empty schema"


@pytest.mark.postgres
def test_migrate_brings_the_previous_layout_to_todays_latest_migrations(migrated):
    assert migrated.unapplied == []


@pytest.mark.postgres
def test_every_table_of_the_previous_layout_keeps_its_rows(migrated):
    _report(table_problems(migrated.rows_before, migrated.rows_after))


@pytest.mark.postgres
def test_every_row_keeps_its_id(migrated):
    _report(id_problems(migrated.ids_before, migrated.ids_after))


@pytest.mark.postgres
def test_every_reminder_notification_and_admin_log_entry_still_finds_its_object(migrated, manifest):
    kinds = {key for key, rows in manifest["generic_references"].items() if rows}
    assert {"notifications_reminder.target", "notifications_notification.target"} <= kinds
    _report(generic_reference_problems(manifest["generic_references"], migrated.generic_references))


@pytest.mark.postgres
def test_no_referenced_content_type_lost_its_model(migrated):
    assert migrated.content_type_references, "at least the permissions reference content types"
    _report(content_type_problems(migrated.content_type_references, migrated.content_types))


@pytest.mark.postgres
def test_engagements_keep_their_people_key_users_checklists_and_promises(migrated, manifest):
    assert len(manifest["facts"]["engagements"]) == 4
    _report(fact_problems(manifest["facts"], migrated.facts))


# --- The checks catch what they are for (made-up data; no database needed) -----------------------------------------


def test_a_table_gone_after_migrate_is_reported_with_how_to_map_it():
    problems = table_problems({"engagements_obligation": 4}, {}, renamed={}, retired={})
    assert len(problems) == 1
    assert "engagements_obligation (rows at the previous layout: 4)" in problems[0]
    assert "add 'engagements_obligation': '<new name>', to RENAMED_TABLES" in problems[0]


def test_a_renamed_or_merged_table_is_found_through_the_map_and_must_hold_all_rows():
    before = {"engagements_obligation": 4, "engagements_pmabsence": 1, "accounts_absence": 2}
    renamed = {"engagements_obligation": "engagements_promise", "engagements_pmabsence": "accounts_absence"}
    after = {"engagements_promise": 4, "accounts_absence": 3}
    assert table_problems(before, after, renamed=renamed, retired={}) == []
    short = table_problems(before, {**after, "accounts_absence": 2}, renamed=renamed, retired={})
    assert short == [
        "Table accounts_absence holds 2 rows after migrate, but 3 before "
        "(from ['engagements_pmabsence', 'accounts_absence'])."
    ]


def test_a_map_entry_for_a_table_the_snapshot_lacks_is_reported():
    problems = table_problems({"a": 1}, {"a": 1}, renamed={"typo_table": "b"}, retired={"other": "gone"})
    assert problems == [
        "RENAMED_TABLES names 'typo_table', which the snapshot does not have.",
        "RETIRED_TABLES names 'other', which the snapshot does not have.",
    ]
    assert table_problems({"a": 1, "b": 2}, {"a": 1}, renamed={}, retired={"b": "folded into a"}) == []


def test_renumbered_rows_are_reported():
    problems = id_problems({"t": {"1", "2", "3"}}, {"t": {"1", "7", "8"}}, renamed={}, retired={})
    assert problems == ["Table t lost 2 ids that t had: 2, 3."]


def test_a_reference_whose_content_type_lost_its_model_or_target_is_reported():
    item = ["engagements.checklistitem", "engagements_checklistitem"]
    before = {
        "notifications_reminder.target": {
            "1": [*item, "17", True],
            "2": [*item, "18", True],
            "3": [*item, "19", True],
            "4": ["accounts.user", "accounts_user", "5", True],
            "10": [*item, "20", True],
        }
    }
    renamed = {"engagements_checklistitem": "checklists_checklistitem"}
    moved = ["checklists.checklistitem", "checklists_checklistitem"]
    after = {
        "notifications_reminder.target": {
            "1": [*moved, "17", True],  # moved, content type renamed: fine
            "2": ["engagements.checklistitem", None, "18", False],  # content type left behind
            "10": ["engagements.checklistitem", None, "20", False],
            "3": [*moved, "19", False],  # its item was lost
            # row 4 is gone
            "5": [*moved, "99", False],  # added by migrate, pointing at nothing
        }
    }
    assert generic_reference_problems(before, after, renamed=renamed) == [
        "notifications_reminder.target: rows added by migrate point at a checklists.checklistitem that is not "
        "there: 1 row(s), ids 5.",
        "notifications_reminder.target: rows no longer find their checklists.checklistitem: 1 row(s), ids 3.",
        "notifications_reminder.target: rows point at content type engagements.checklistitem, which has no model "
        "any more (rename the content type to its model's new app label and name in the migration that moves the "
        "model): 2 row(s), ids 2, 10.",
        "notifications_reminder.target: rows that pointed at accounts.user are gone after migrate: 1 row(s), ids 4.",
    ]


def test_a_reference_that_now_points_into_another_table_is_reported():
    key = "notifications_notification.target"
    before = {key: {"1": ["engagements.obligation", "engagements_obligation", "3", True]}}
    after = {key: {"1": ["engagements.milestone", "engagements_milestone", "3", True]}}
    assert generic_reference_problems(before, after, renamed={}) == [
        "notifications_notification.target: rows that pointed at engagements_obligation now point at "
        "engagements_milestone: 1 row(s), ids 1."
    ]
    assert generic_reference_problems(before, {}, renamed={}) == [
        "The generic reference notifications_notification.target is gone after migrate "
        "(looked for notifications_notification.target)."
    ]


def test_a_referenced_content_type_without_a_model_is_reported():
    references = {24: ["auth_permission.content_type_id"], 25: ["notifications_reminder.target_type_id"]}
    content_types = {24: ("engagements.checklisttemplate", False), 25: ("accounts.user", True)}
    problems = content_type_problems(references, content_types)
    assert len(problems) == 1
    assert problems[0].startswith("Content type engagements.checklisttemplate (id 24) has no model after migrate")


def test_a_changed_fact_is_reported():
    before = {"engagements": {"1": {"name": "Rollout", "key_user": "k@acme.example"}}, "absences": []}
    after = {"engagements": {"1": {"name": "Rollout", "key_user": None}}, "absences": []}
    assert fact_problems(before, after) == ["Engagement 1 (Rollout): key_user was 'k@acme.example', is None."]
