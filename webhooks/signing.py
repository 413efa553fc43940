"""The Standard Webhooks signature (https://www.standardwebhooks.com/), made by its reference package."""

import json
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from standardwebhooks import Webhook


def payload_body(event) -> str:
    """The body of every delivery of ``event``: ``{type, timestamp, data}``, the same bytes on every attempt."""
    return json.dumps(
        {
            "type": event.type,
            "timestamp": event.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "data": event.data,
        },
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def signature_headers(*, message_id: str, body: str, secrets: list[str], at) -> dict[str, str]:
    """``webhook-id``, ``webhook-timestamp`` (the attempt's, in seconds) and ``webhook-signature``: one
    ``v1,<base64 HMAC-SHA256 of id.timestamp.body>`` per valid secret, separated by spaces (two during a rotation)."""
    at = at.astimezone(UTC).replace(microsecond=0)
    signatures = " ".join(Webhook(secret).sign(message_id, at, body) for secret in secrets)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
    }
