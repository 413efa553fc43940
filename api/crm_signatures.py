"""The CRMs' request signatures.

HubSpot's request signature v3, as HubSpot documents it: ``X-HubSpot-Signature-v3`` is the base64 HMAC-SHA256,
keyed by the app's client secret, of method + full URI + body + ``X-HubSpot-Request-Timestamp`` (milliseconds);
a timestamp older than 5 minutes is refused (a replayed request).

Salesforce signs nothing of its own accord (an Outbound Message's SOAP call carries only the org id, so it is not
used): the Flow or Apex HTTP callout on an Opportunity turning Closed Won signs with a secret shared with us, as
``Crypto.generateMac('hmacSHA256', Blob.valueOf(timestamp + '.' + body), Blob.valueOf(secret))`` in Apex:
``X-Salesforce-Signature`` is ``v1=`` + the base64 of that HMAC, ``X-Salesforce-Timestamp`` the seconds since the
epoch; older or newer than 5 minutes is refused."""

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

MAX_AGE = timedelta(minutes=5)


def hubspot_signature(*, secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    message = method.upper().encode() + uri.encode() + body + timestamp.encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def hubspot_valid(*, secret: str, method: str, uri: str, body: bytes, timestamp: str, signature: str, now) -> bool:
    if not secret or not timestamp.isdigit() or not signature:
        return False
    sent = datetime.fromtimestamp(int(timestamp) / 1000, tz=now.tzinfo)
    if abs(now - sent) > MAX_AGE:
        return False
    expected = hubspot_signature(secret=secret, method=method, uri=uri, body=body, timestamp=timestamp)
    return hmac.compare_digest(expected, signature)


def salesforce_signature(*, secret: str, body: bytes, timestamp: str) -> str:
    message = timestamp.encode() + b"." + body
    return "v1=" + base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def salesforce_valid(*, secret: str, body: bytes, timestamp: str, signature: str, now) -> bool:
    if not secret or not timestamp.isdigit() or not signature:
        return False
    sent = datetime.fromtimestamp(int(timestamp), tz=now.tzinfo)
    if abs(now - sent) > MAX_AGE:
        return False
    return hmac.compare_digest(salesforce_signature(secret=secret, body=body, timestamp=timestamp), signature)
