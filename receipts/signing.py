"""The receipts' Ed25519 keys: the one that signs, those that still verify, and their ids.

``RECEIPT_SIGNING_KEY`` is the private key as 32 bytes in base64 (``python manage.py receipt_key`` prints a new
one); unset, a development key is generated once and kept in ``$VAR_DIR/receipt-signing-key`` (mode 600).
``RECEIPT_RETIRED_PUBLIC_KEYS`` lists earlier public keys (base64, comma-separated) that still verify receipts
signed before a rotation. A key's id is the first 16 hex digits of the SHA-256 of its public key's raw bytes, so a
receipt names the key that signed it and the verification page picks it.
"""

import base64
import binascii
import hashlib
import os
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ALGORITHM = "Ed25519"
DEV_KEY_FILE = "receipt-signing-key"


def _b64decode(text: str) -> bytes:
    text = text.strip()
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_" if ("-" in text or "_" in text) else None)


def public_raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id_of(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(public_raw(public)).hexdigest()[:16]


def new_private_key_text() -> str:
    key = Ed25519PrivateKey.generate()
    return base64.b64encode(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())).decode()


def _dev_key_text() -> str:
    path = settings.VAR_DIR / DEV_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        text = new_private_key_text()
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(text + "\n")
    return path.read_text().strip()


@lru_cache(maxsize=4)
def _private_key(text: str) -> Ed25519PrivateKey:
    try:
        raw = _b64decode(text)
        return Ed25519PrivateKey.from_private_bytes(raw)
    except (ValueError, binascii.Error) as error:
        raise ImproperlyConfigured("RECEIPT_SIGNING_KEY must be 32 bytes of an Ed25519 key in base64") from error


def signing_key() -> Ed25519PrivateKey:
    return _private_key(settings.RECEIPT_SIGNING_KEY or _dev_key_text())


@lru_cache(maxsize=4)
def _retired(values: tuple[str, ...]) -> tuple[Ed25519PublicKey, ...]:
    keys = []
    for value in values:
        if value.strip():
            try:
                keys.append(Ed25519PublicKey.from_public_bytes(_b64decode(value)))
            except (ValueError, binascii.Error) as error:
                raise ImproperlyConfigured("RECEIPT_RETIRED_PUBLIC_KEYS holds a key that is not Ed25519") from error
    return tuple(keys)


def verification_keys() -> dict[str, Ed25519PublicKey]:
    """Every public key a receipt may be signed with, by id: the current one first, then the retired ones."""
    current = signing_key().public_key()
    keys = {key_id_of(current): current}
    for public in _retired(tuple(settings.RECEIPT_RETIRED_PUBLIC_KEYS)):
        keys.setdefault(key_id_of(public), public)
    return keys


def published_keys() -> list[dict]:
    """The public keys as the verification page publishes them (id, base64 of the raw 32 bytes, current or not)."""
    return [
        {"key_id": key_id, "public_key": base64.b64encode(public_raw(public)).decode(), "current": index == 0}
        for index, (key_id, public) in enumerate(verification_keys().items())
    ]


def sign(data: bytes) -> tuple[str, str]:
    """(key id, base64 signature) of ``data`` with the current key."""
    key = signing_key()
    return key_id_of(key.public_key()), base64.b64encode(key.sign(data)).decode()


def verify(data: bytes, *, key_id: str, signature: str) -> bool:
    """Does ``signature`` (base64) sign ``data`` with the key ``key_id`` (current or retired)?"""
    public = verification_keys().get(key_id)
    if public is None:
        return False
    try:
        public.verify(_b64decode(signature), data)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True
