"""Liveness of what the app depends on: the database and the Celery broker."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return f"{exc.__class__.__name__}: {exc}"
    return None


def check_broker() -> str | None:
    try:
        with Connection(settings.CELERY_BROKER_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return f"{exc.__class__.__name__}: {exc}"
    return None


@never_cache
@require_GET
@login_not_required
def healthz(request):
    checks = {"database": check_database(), "broker": check_broker()}
    body = {
        "status": "ok" if not any(checks.values()) else "error",
        "checks": {name: ("ok" if error is None else error) for name, error in checks.items()},
        "failed": [name for name, error in checks.items() if error is not None],
    }
    return JsonResponse(body, status=200 if not body["failed"] else 503)
