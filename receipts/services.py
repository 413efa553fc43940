"""Writing a receipt (called by each deciding app's service, in the transaction of the decision) and verifying a
receipt someone brings back (the public verification page)."""

import json
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings

from accounts.models import User

from . import registry, signing
from .canonical import canonical_bytes, digest_of
from .context import DecisionContext
from .models import Receipt

FORMAT_VERSION = 1
# A receipt is a few hundred bytes; anything much larger is not one of ours.
MAX_RECEIPT_BYTES = 32 * 1024


def _utc(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def receipt_record(
    *,
    kind: str,
    object_id,
    engagement,
    decision: str,
    subject: str,
    by: User,
    at,
    digest: str,
    context: DecisionContext | None = None,
) -> Receipt:
    """Record and sign the receipt of one client decision. Call it inside the decision's transaction: if the decision
    fails, no receipt remains. ``digest`` is ``canonical.digest_of`` of what ``registry``'s content function of
    ``kind`` reads for ``object_id`` (the deciding app computes both from the same function)."""
    if registry.kind(kind) is None:
        raise ValueError(f"no decision kind {kind!r} is registered")
    context = context or DecisionContext()
    receipt = Receipt(
        engagement=engagement,
        kind=kind,
        object_id=str(object_id),
        decision=decision,
        subject=subject[:300],
        decided_by=by,
        decided_at=at,
        authenticated_by=",".join(context.authenticated_by),
        address=context.address,
        digest=digest,
    )
    receipt.body = receipt_body(receipt)
    receipt.key_id, receipt.signature = signing.sign(canonical_bytes(receipt.body))
    receipt.save(force_insert=True)
    return receipt


def receipt_body(receipt: Receipt) -> dict:
    """What a receipt says, as signed: everything the person who decided may read of their own decision."""
    engagement = receipt.engagement
    return {
        "format": FORMAT_VERSION,
        "receipt_id": str(receipt.id),
        "issuer": settings.SITE_URL,
        "client": engagement.client.name,
        "engagement": engagement.name,
        "kind": receipt.kind,
        "decision_id": receipt.object_id,
        "decision": receipt.decision,
        "subject": receipt.subject,
        "decided_by": {"name": receipt.decided_by.full_name or "", "email": receipt.decided_by.email},
        "decided_at": _utc(receipt.decided_at),
        "authenticated_by": receipt.authenticated_by.split(","),
        "address": receipt.address,
        "content_sha256": receipt.digest,
    }


def receipt_document(receipt: Receipt) -> dict:
    """The downloadable signed receipt."""
    return {
        "receipt": receipt.body,
        "signature": {"algorithm": signing.ALGORITHM, "key_id": receipt.key_id, "value": receipt.signature},
    }


def receipt_json(receipt: Receipt) -> str:
    return json.dumps(receipt_document(receipt), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def current_digest(kind: str, object_id: str) -> str | None:
    """The digest of what the decision is about as stored now; ``None`` when it is no longer stored."""
    decision_kind = registry.kind(kind)
    content = decision_kind.content(object_id) if decision_kind else None
    return None if content is None else digest_of(content)


# What verifying a receipt found.
MALFORMED = "malformed"
SIGNATURE_INVALID = "signature_invalid"
VALID = "valid"
CONTENT_CHANGED = "content_changed"
CONTENT_GONE = "content_gone"


@dataclass(frozen=True)
class Verification:
    outcome: str
    # The receipt's own words, once its signature holds (never more than the receipt already says).
    receipt: dict | None = None


def _parse(text: str) -> tuple[dict, dict] | None:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_RECEIPT_BYTES:
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    body, signature = document.get("receipt"), document.get("signature")
    if not isinstance(body, dict) or not isinstance(signature, dict):
        return None
    if not all(isinstance(signature.get(key), str) for key in ("algorithm", "key_id", "value")):
        return None
    if not all(isinstance(body.get(key), str) for key in ("kind", "decision_id", "content_sha256")):
        return None
    return body, signature


def receipt_verify(text: str) -> Verification:
    """Check a receipt brought back: its signature (by the key it names, current or retired), then the digest of what
    it was about, re-computed from what is stored now."""
    parsed = _parse(text)
    if parsed is None:
        return Verification(MALFORMED)
    body, signature = parsed
    try:
        data = canonical_bytes(body)
    except TypeError:
        return Verification(MALFORMED)
    if signature["algorithm"] != signing.ALGORITHM or not signing.verify(
        data, key_id=signature["key_id"], signature=signature["value"]
    ):
        return Verification(SIGNATURE_INVALID)
    digest = current_digest(body["kind"], body["decision_id"])
    if digest is None:
        return Verification(CONTENT_GONE, body)
    return Verification(VALID if digest == body["content_sha256"] else CONTENT_CHANGED, body)
