"""Liveness of what the app depends on: the database and the Celery broker.

The answer is public (load balancers call it without signing in), so it names what failed and nothing more:
an error's text carries host names, ports and user names. The details go to the server log.
"""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> None:
    with Connection(settings.CELERY_BROKER_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS = {"database": check_database, "broker": check_broker}


@never_cache
@require_GET
@login_not_required
def healthz(request):
    failed = []
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            logger.exception("Health check failed: %s", name)
            failed.append(name)
    body = {
        "status": "error" if failed else "ok",
        "checks": {name: ("error" if name in failed else "ok") for name in CHECKS},
        "failed": failed,
    }
    return JsonResponse(body, status=503 if failed else 200)
