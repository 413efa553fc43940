"""The receipts' building blocks: one canonical serialization (dict order never matters, list order does), the
Ed25519 signature and its keys (the development key kept under VAR_DIR, rotation), and how a sign-in is read."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from receipts import signing
from receipts.canonical import canonical_bytes, digest_of
from receipts.context import authentication_methods


def test_canonical_json_sorts_keys_at_every_level_and_keeps_list_order():
    one = {"b": 1, "a": {"y": [3, 1, 2], "x": "Zażółć"}, "c": None}
    other = {"c": None, "a": {"x": "Zażółć", "y": [3, 1, 2]}, "b": 1}
    assert canonical_bytes(one) == canonical_bytes(other)
    assert canonical_bytes(one) == '{"a":{"x":"Zażółć","y":[3,1,2]},"b":1,"c":null}'.encode()
    assert digest_of(one) == digest_of(other)
    assert digest_of({"a": [1, 2]}) != digest_of({"a": [2, 1]})


def test_the_digest_is_pinned():
    # Anyone re-computing a digest outside the portal gets the same 64 hex digits: SHA-256 of the canonical bytes
    # '{"stage":1,"title":"Scope"}', and of a file's bytes as they are.
    pinned = "4519724027b7731c29a2d042ffa545e6cd3f3e6dc4f552c1773080afe0e5e112"
    assert digest_of({"title": "Scope", "stage": 1}) == pinned
    assert digest_of(b"The manual.\n") == "f2a00b444197e817a19dc88c96786d494d98180d81c0ff4a78470d585d3c7f7a"


def test_canonical_json_refuses_what_has_no_single_text():
    for value in ({"x": 1.5}, {1: "a"}, {"when": object()}):
        with pytest.raises(TypeError):
            canonical_bytes(value)


def _key_text():
    key = Ed25519PrivateKey.generate()
    return base64.b64encode(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())).decode()


def test_a_signature_verifies_with_its_key_and_not_after_a_change(settings):
    settings.RECEIPT_SIGNING_KEY = _key_text()
    key_id, signature = signing.sign(b"accepted")
    assert signing.verify(b"accepted", key_id=key_id, signature=signature)
    assert not signing.verify(b"rejected", key_id=key_id, signature=signature)
    assert not signing.verify(b"accepted", key_id="0" * 16, signature=signature)
    assert not signing.verify(b"accepted", key_id=key_id, signature="not base64!")


def test_after_a_rotation_the_retired_key_still_verifies(settings):
    old = _key_text()
    settings.RECEIPT_SIGNING_KEY = old
    old_id, signature = signing.sign(b"accepted")
    old_public = signing.published_keys()[0]["public_key"]
    settings.RECEIPT_SIGNING_KEY = _key_text()
    assert not signing.verify(b"accepted", key_id=old_id, signature=signature)
    settings.RECEIPT_RETIRED_PUBLIC_KEYS = [old_public]
    assert signing.verify(b"accepted", key_id=old_id, signature=signature)
    new_id, _signature = signing.sign(b"accepted")
    assert new_id != old_id
    assert [(key["key_id"], key["current"]) for key in signing.published_keys()] == [(new_id, True), (old_id, False)]


def test_without_a_configured_key_a_development_key_is_kept_under_var_dir(settings, tmp_path):
    settings.RECEIPT_SIGNING_KEY = ""
    settings.VAR_DIR = tmp_path
    first, _signature = signing.sign(b"x")
    path = tmp_path / signing.DEV_KEY_FILE
    assert path.exists() and oct(path.stat().st_mode & 0o777) == "0o600"
    second, _signature = signing.sign(b"x")
    assert first == second


def test_how_a_person_signed_in_is_read_from_allauth_records():
    assert authentication_methods({}) == ("password",)
    assert authentication_methods(None) == ("password",)
    records = [{"method": "password", "at": 1}, {"method": "mfa", "type": "totp"}, {"method": "mfa"}]
    assert authentication_methods({"account_authentication_methods": records}) == ("password", "mfa")
    sso = [{"method": "socialaccount", "provider": "oidc"}]
    assert authentication_methods({"account_authentication_methods": sso}) == ("socialaccount",)
    assert authentication_methods({"account_authentication_methods": "junk"}) == ("password",)
