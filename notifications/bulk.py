"""Bulk statements with server-side parameter binding.

Django's PostgreSQL backend binds parameters on the client (psycopg's ``ClientCursor``): every value is quoted into
the SQL text, which for arrays of thousands of values costs more than the statement itself. The few set-based
statements that pass whole columns as arrays (``INSERT ... SELECT FROM unnest(%s::type[], ...)``) run here instead,
on a server-binding cursor of the same connection (so in the caller's transaction); write ``%b`` for the arrays
to send them in binary.
Errors come as Django's, and each statement is still recorded in Django's query log, so query counts in tests and
benchmarks include it.
"""

import logging
import time

import psycopg
from django.db import connection, transaction

logger = logging.getLogger("notifications.services")


def execute_bound(sql: str, params, *, fetch: bool = False) -> list[tuple]:
    """Run one statement with server-side binding in the current transaction; return its rows if ``fetch``."""
    connection.ensure_connection()
    started = time.monotonic()
    # Errors as Django's (IntegrityError, OperationalError, ...), as from any other query.
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall() if fetch else []
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
    return rows


def on_commit_once(func) -> None:
    """Run ``func`` once after the current transaction commits, however often it is asked for meanwhile (a kick
    after each of a sweep's writes would enqueue one task per write)."""
    if any(queued is func for _sids, queued, _robust in connection.run_on_commit):
        return
    transaction.on_commit(func)


_kicks: dict = {}


def task_kick_on_commit(task) -> None:
    """Enqueue ``task`` (a relay) once after the current transaction commits. A broker that is down only logs: the
    rows are committed, and the task's periodic tick finds them."""
    kick = _kicks.get(task.name)
    if kick is None:

        def kick():
            try:
                task.delay()
            except Exception:
                logger.warning("Could not enqueue %s; its periodic tick will pick the rows up.", task.name)

        kick = _kicks.setdefault(task.name, kick)
    on_commit_once(kick)
