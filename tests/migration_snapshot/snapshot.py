"""The previous-layout snapshot: where it lives, how it is restored, and what it holds.

Shared by ``make_snapshot.py`` (run at the previous layout's commit) and
``tests/test_migration_from_previous_layout.py`` (restores it, migrates it to today's code and compares).

The functions that read through models must work against both layouts, because the restructuring moves and
renames models: a model is looked up in a list of the names it had and has (``MODELS``), and a relation is found
by the model it points to, never by a field name. This module imports Django only inside functions, so the
snapshot script can choose its database before Django is set up.
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

HERE = Path(__file__).resolve().parent
DUMP_PATH = HERE / "previous_layout.sql.gz"
MANIFEST_PATH = HERE / "previous_layout.json"
# The PostgreSQL that CI runs. A plain dump is SQL for the server version it was made for: pg_dump 16 and later
# write statements that 15 rejects, so both the dump and the server it is made from must be 15.
PG_MAJOR = 15

# Every subject the spot checks read, by each name its model had or has ("app_label.ModelName"), newest first.
# When the restructuring moves or renames one, put its new name in front; the old name keeps the snapshot
# script runnable at the previous layout.
MODELS = {
    "engagement": ["engagements.Engagement"],
    "stakeholder": ["engagements.Stakeholder"],
    "commitment": ["engagements.Promise", "engagements.Commitment", "engagements.Obligation"],
    "absence": ["accounts.StaffAbsence", "accounts.Absence", "engagements.PmAbsence"],
    "stage": ["checklists.ChecklistStage", "engagements.ChecklistStage"],
    "item": ["checklists.ChecklistItem", "engagements.ChecklistItem"],
    "acceptance": ["checklists.StageAcceptance", "engagements.StageAcceptance"],
    "satisfaction": ["checklists.SatisfactionScore", "engagements.SatisfactionScore"],
    "milestone": ["engagements.Milestone"],
}


# --- The server -------------------------------------------------------------------------------------------------


def conninfo(db: dict, name: str) -> str:
    """A libpq connection string for database ``name`` on the server of a Django ``DATABASES`` entry."""
    params = {
        "dbname": name,
        "host": db.get("HOST"),
        "port": str(db["PORT"]) if db.get("PORT") else None,
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
    }
    return psycopg.conninfo.make_conninfo(**{key: value for key, value in params.items() if value})


def database_url(db: dict, name: str) -> str:
    """``DATABASE_URL`` for database ``name`` on the same server, for a ``manage.py`` run in another process."""
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or ""
    if host.startswith("/"):
        host = quote(host, safe="")  # a Unix socket directory
    elif ":" in host:
        host = f"[{host}]"  # IPv6
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth + '@' if auth else ''}{host}{port}/{quote(name, safe='')}"


def server_major(db: dict) -> int:
    with psycopg.connect(conninfo(db, "postgres")) as conn:
        return conn.info.server_version // 10000


def database_create(db: dict, name: str) -> None:
    # template0: empty whatever extensions a site added to template1, as a restore needs.
    with psycopg.connect(conninfo(db, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))


def database_drop(db: dict, name: str) -> None:
    # FORCE: a connection left open by a failed test must not leave the database behind.
    with psycopg.connect(conninfo(db, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# --- Restoring ----------------------------------------------------------------------------------------------------


def _dump_lines(path: Path) -> Iterator[str]:
    # newline="": COPY rows must reach the server byte for byte.
    with gzip.open(path, "rt", encoding="utf-8", newline="") as dump:
        yield from dump


def restore(dsn: str, path: Path = DUMP_PATH) -> None:
    """Load a plain-format ``pg_dump`` into an empty database, in one transaction, without psql.

    The SQL between COPY blocks goes to the server as it is (with no parameters, psycopg uses the simple query
    protocol, which takes many statements at once); each COPY block's rows go through ``COPY ... FROM STDIN``;
    psql's meta-commands (``\\restrict``, which pg_dump writes since 15.14) are skipped. A statement boundary is
    a line ending in ``;``: enough for a Django schema, which has no function bodies.
    """
    with psycopg.connect(dsn) as conn, conn.cursor() as cursor:
        pending: list[str] = []
        inside_statement = False
        lines = _dump_lines(path)
        for line in lines:
            if not inside_statement and line.startswith("\\"):
                continue
            if not inside_statement and line.startswith("COPY ") and line.rstrip().endswith("FROM stdin;"):
                _execute(cursor, pending)
                with cursor.copy(line.rstrip()[:-1]) as copy:
                    for row in lines:
                        if row.rstrip("\r\n") == "\\.":
                            break
                        copy.write(row)
                    else:
                        raise ValueError(f"{path.name}: the data of {line.strip()!r} does not end with \\.")
                continue
            pending.append(line)
            if line.strip() and not line.startswith("--"):
                inside_statement = not line.rstrip().endswith(";")
        _execute(cursor, pending)


def _execute(cursor, pending: list[str]) -> None:
    text = "".join(pending)
    pending.clear()
    if text.strip():
        cursor.execute(text)


# --- What a database holds, in plain SQL (the same before and after migrate) ---------------------------------------


def _public_tables(conn) -> list[str]:
    return [name for (name,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]


def table_rows(conn) -> dict[str, int]:
    """Rows per table of the public schema, in one round trip."""
    tables = _public_tables(conn)
    if not tables:
        return {}
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {}, count(*) FROM {}").format(sql.Literal(table), sql.Identifier("public", table))
        for table in tables
    )
    return dict(conn.execute(query).fetchall())


def table_ids(conn) -> dict[str, set[str]]:
    """The ``id`` values of every table that has that column: what foreign keys and generic references hold."""
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " JOIN pg_attribute a ON a.attrelid = c.oid"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attname = 'id' AND NOT a.attisdropped"
            " ORDER BY 1"
        )
    ]
    if not tables:
        return {}
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {}, coalesce(array_agg(id::text), '{{}}') FROM {}").format(
            sql.Literal(table), sql.Identifier("public", table)
        )
        for table in tables
    )
    return {table: set(ids) for table, ids in conn.execute(query)}


def content_type_references(conn) -> dict[int, list[str]]:
    """Content type id -> the ``table.column`` names whose rows reference it, for every foreign key into
    ``django_content_type`` in the database (found in the catalogue, so a table no model owns any more counts)."""
    columns = conn.execute(
        "SELECT cl.relname, att.attname FROM pg_constraint con"
        " JOIN pg_class cl ON cl.oid = con.conrelid"
        " JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1]"
        " WHERE con.contype = 'f' AND con.confrelid = 'public.django_content_type'::regclass"
        " ORDER BY 1, 2"
    ).fetchall()
    referenced: dict[int, list[str]] = defaultdict(list)
    for table, column in columns:
        query = sql.SQL("SELECT DISTINCT {col} FROM {table} WHERE {col} IS NOT NULL").format(
            col=sql.Identifier(column), table=sql.Identifier("public", table)
        )
        for (content_type_id,) in conn.execute(query):
            referenced[content_type_id].append(f"{table}.{column}")
    return dict(referenced)


# --- What it means, through the models (works on both layouts) -----------------------------------------------------


def model(subject: str):
    """The installed model for a subject of ``MODELS``, under whichever of its names exists."""
    from django.apps import apps

    for label in MODELS[subject]:
        try:
            return apps.get_model(label)
        except LookupError:
            continue
    raise LookupError(
        f"None of {MODELS[subject]} is installed: add the {subject} model's new name in front of "
        f"MODELS[{subject!r}] in {Path(__file__).relative_to(HERE.parents[1])}."
    )


def path_to(source, target, *, prefer: tuple[str, ...] = ()) -> str:
    """The shortest chain of foreign keys from ``source`` to ``target`` (e.g. ``stage__engagement``).

    Found by the models the keys point to, so a renamed field does not break it. Two chains of the same length
    are ambiguous unless exactly one of them ends in a field named in ``prefer``."""
    frontier, seen = [(source, "")], {source}
    for _depth in range(3):
        found, following = [], []
        for current, prefix in frontier:
            for field in current._meta.concrete_fields:
                if not (field.many_to_one or field.one_to_one):
                    continue
                path = f"{prefix}__{field.name}" if prefix else field.name
                if field.related_model is target:
                    found.append(path)
                elif field.related_model not in seen:
                    seen.add(field.related_model)
                    following.append((field.related_model, path))
        preferred = [path for path in found if path.rsplit("__", 1)[-1] in prefer]
        if len(found) == 1 or len(preferred) == 1:
            return preferred[0] if preferred else found[0]
        if found:
            raise LookupError(f"{source.__name__} reaches {target.__name__} by {found}: name one in `prefer`.")
        frontier = following
    raise LookupError(f"{source.__name__} has no chain of foreign keys to {target.__name__}.")


def _count_by(queryset, *fields: str) -> dict:
    """Rows per value of ``fields`` (a tuple key for several), in one query."""
    from django.db.models import Count

    rows = queryset.order_by().values(*fields).annotate(rows=Count("pk")).values_list(*fields, "rows")
    return {tuple(row[:-1]) if len(fields) > 1 else row[0]: row[-1] for row in rows}


def facts(using: str) -> dict:
    """Semantic spot checks, as JSON: per engagement its people, key user and how much hangs off it; the absences.
    The snapshot script records them; the test computes them again after migrate and expects the same."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    emails = dict(user_model._base_manager.using(using).values_list("pk", "email"))
    engagement_model = model("engagement")

    def per_engagement(subject, *fields, **filters):
        source = model(subject)
        queryset = source._base_manager.using(using).filter(**filters)
        return _count_by(queryset, path_to(source, engagement_model), *fields)

    stakeholder = model("stakeholder")
    key_users = {
        engagement_id: emails.get(user_id) or email
        for engagement_id, user_id, email in stakeholder._base_manager.using(using)
        .filter(is_key_user=True)
        .values_list(path_to(stakeholder, engagement_model), path_to(stakeholder, user_model), "email")
    }
    stakeholders = per_engagement("stakeholder")
    commitments = per_engagement("commitment")
    stages = per_engagement("stage")
    items = per_engagement("item")
    items_by_status = per_engagement("item", "status")
    acceptances = per_engagement("acceptance")
    satisfaction = per_engagement("satisfaction")
    milestones = per_engagement("milestone")
    engagements = {}
    for pk, name, phase, client, csm, pm, deputy_pm in (
        engagement_model._base_manager.using(using)
        .order_by("pk")
        .values_list("pk", "name", "phase", "client__slug", "csm_id", "pm_id", "deputy_pm_id")
    ):
        engagements[str(pk)] = {
            "name": name,
            "client": client,
            "phase": phase,
            "csm": emails.get(csm),
            "pm": emails.get(pm),
            "deputy_pm": emails.get(deputy_pm),
            "key_user": key_users.get(pk),
            "stakeholders": stakeholders.get(pk, 0),
            "commitments": commitments.get(pk, 0),
            "checklist_stages": stages.get(pk, 0),
            "checklist_items": items.get(pk, 0),
            "checklist_items_by_status": {
                status: rows for (engagement, status), rows in sorted(items_by_status.items()) if engagement == pk
            },
            "acceptances": acceptances.get(pk, 0),
            "satisfaction_scores": satisfaction.get(pk, 0),
            "milestones": milestones.get(pk, 0),
        }
    absence = model("absence")
    absences = sorted(
        [emails.get(user_id), starts_on.isoformat(), ends_on.isoformat()]
        for user_id, starts_on, ends_on in absence._base_manager.using(using).values_list(
            path_to(absence, user_model, prefer=("user", "person")), "starts_on", "ends_on"
        )
    )
    return {"engagements": engagements, "absences": absences}


def generic_reference_fields() -> list[tuple]:
    """``(model, content type column, object id field, name)`` for every generic reference of the installed models:
    each GenericForeignKey (a reminder's or notification's target), and each plain pair of a ``content_type``
    foreign key and an ``object_id`` field (the admin's change history, LogEntry, has no GenericForeignKey)."""
    from django.apps import apps
    from django.contrib.contenttypes.fields import GenericForeignKey
    from django.contrib.contenttypes.models import ContentType
    from django.core.exceptions import FieldDoesNotExist

    found = []
    for model_class in apps.get_models():
        generic = [field for field in model_class._meta.private_fields if isinstance(field, GenericForeignKey)]
        for field in generic:
            type_column = model_class._meta.get_field(field.ct_field).attname
            found.append((model_class, type_column, field.fk_field, field.name))
        if generic:
            continue
        try:
            type_field = model_class._meta.get_field("content_type")
            model_class._meta.get_field("object_id")
        except FieldDoesNotExist:
            continue
        if type_field.many_to_one and type_field.related_model is ContentType:
            found.append((model_class, type_field.attname, "object_id", "content_type/object_id"))
    return found


def generic_references(using: str) -> dict[str, dict[str, list]]:
    """What every row with a generic reference points at:
    ``{"<table>.<field>": {row id: [content type "app_label.model", table of the target, target id, exists]}}``.

    The table names the target across a model's move: the content type's name changes with the move, the
    table may not. ``exists`` is false for a reference whose object was deleted on purpose (the admin's log of
    a deletion); the test expects every other one to find its object after migrate."""
    from django.contrib.contenttypes.models import ContentType

    content_types = {ct.pk: ct for ct in ContentType.objects.using(using).all()}
    references: dict[str, dict[str, list]] = {}
    for model_class, type_column, id_field, name in generic_reference_fields():
        rows = list(
            model_class._base_manager.using(using)
            .filter(**{f"{type_column}__isnull": False})
            .order_by("pk")
            .values_list("pk", type_column, id_field)
        )
        wanted = defaultdict(set)
        for _pk, type_id, object_id in rows:
            wanted[type_id].add(str(object_id))
        existing = {
            type_id: _existing(content_types[type_id].model_class(), ids, using) for type_id, ids in wanted.items()
        }
        found = {}
        for pk, type_id, object_id in rows:
            content_type = content_types[type_id]
            target = content_type.model_class()
            found[str(pk)] = [
                f"{content_type.app_label}.{content_type.model}",
                target._meta.db_table if target is not None else None,
                str(object_id),
                str(object_id) in existing[type_id],
            ]
        references[f"{model_class._meta.db_table}.{name}"] = found
    return references


def _existing(target, ids: set[str], using: str) -> set[str]:
    """Which of ``ids`` (as text, as generic references hold them) are rows of model ``target``, in one query."""
    from django.core.exceptions import ValidationError

    if target is None:
        return set()
    keys = {}
    for value in ids:
        try:
            keys[target._meta.pk.to_python(value)] = value
        except (ValidationError, ValueError, TypeError):
            continue  # not even a possible key of that model: it points at nothing
    found = target._base_manager.using(using).filter(pk__in=list(keys)).values_list("pk", flat=True)
    return {keys[pk] for pk in found}
