"""What every resource does alike: ``updated_since``, ``ETag``/``If-Match`` and ``Idempotency-Key``."""

import datetime
import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response

from .errors import PreconditionFailed, Unprocessable
from .models import IdempotentRequest


def updated_since(request):
    """The ``updated_since`` query parameter as an aware datetime (ISO 8601 with an offset), or ``None``."""
    raw = request.query_params.get("updated_since")
    if raw in (None, ""):
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))
        # In UTC, as the database compares it (PostgreSQL refuses offsets beyond ±15:59).
        value = value.astimezone(datetime.UTC) if value is not None and timezone.is_aware(value) else value
    except (ValueError, OverflowError):
        value = None
    if value is None or timezone.is_naive(value):
        raise exceptions.ValidationError(
            {"updated_since": [_("Give a date and time in ISO 8601 with its offset, e.g. 2026-01-31T09:00:00Z.")]}
        )
    return value


def etag_of(data) -> str:
    """A strong validator of an object's representation: any change a client could see changes it."""
    body = json.dumps(data, sort_keys=True, default=str, separators=(",", ":")).encode()
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def check_if_match(request, current_etag: str) -> None:
    """412 when ``If-Match`` names another version (a lost update); no header means no precondition."""
    header = request.headers.get("If-Match")
    if header is None:
        return
    tags = {tag.strip() for tag in header.split(",")}
    if "*" not in tags and current_etag not in tags and f"W/{current_etag}" not in tags:
        raise PreconditionFailed()


REPLAYED_HEADERS = ("Location", "ETag")


def _replay(first: IdempotentRequest, digest: str) -> Response:
    if first.request_digest != digest:
        raise Unprocessable(_("This Idempotency-Key was used with another request."))
    return Response(first.body, status=first.status, headers={**first.headers, "Idempotent-Replayed": "true"})


def idempotent(request, handler) -> Response:
    """Run ``handler()`` (a POST) once per token and ``Idempotency-Key``: the first answer is stored in the same
    transaction as the write it made, and a retry with the same key and body gets that answer again without doing
    anything; the same key with another request is a 422. Keys are kept ``API_IDEMPOTENCY_HOURS``."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return handler()
    if not key.strip() or len(key) > 255:
        raise exceptions.ValidationError({"Idempotency-Key": [_("Use a key of 1 to 255 characters.")]})
    token = request.auth
    # Read before the body is parsed (Django keeps it), so the digest sees exactly the bytes sent.
    body = request._request.body
    digest = hashlib.sha256(b"\n".join([request.method.encode(), request.path.encode(), body])).hexdigest()
    now = timezone.now()
    first = IdempotentRequest.objects.filter(token=token, key=key).first()
    if first is not None and first.created_at >= now - datetime.timedelta(hours=settings.API_IDEMPOTENCY_HOURS):
        return _replay(first, digest)
    if first is not None:
        first.delete()
    try:
        with transaction.atomic():
            response = handler()
            if response.status_code < 300:
                IdempotentRequest.objects.create(
                    token=token,
                    key=key,
                    request_digest=digest,
                    status=response.status_code,
                    body=json.loads(json.dumps(response.data, default=str)),
                    headers={name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)},
                    created_at=now,
                )
            return response
    except IntegrityError:
        # A concurrent request with the same key committed first: this one's write was rolled back with it.
        first = IdempotentRequest.objects.filter(token=token, key=key).first()
        if first is None:
            raise  # not the key: the write itself
        return _replay(first, digest)
