"""The one canonical serialization of what a client decided on, and its SHA-256 digest.

Canonical JSON: keys sorted at every level, no insignificant whitespace, UTF-8 (characters as they are, not
``\\u`` escapes), integers, strings, booleans and null only (a float or any other type is refused: its text is not
one thing across languages). The same value always gives the same bytes, whatever order its dicts were built in;
a list keeps its order (order is meaning: stages, items).
"""

import hashlib
import json


def _check(value) -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, list | tuple):
        for element in value:
            _check(element)
        return
    if isinstance(value, dict):
        for key, element in value.items():
            if not isinstance(key, str):
                raise TypeError(f"canonical JSON keys are strings, not {type(key).__name__}")
            _check(element)
        return
    raise TypeError(f"canonical JSON holds no {type(value).__name__}")


def canonical_bytes(value) -> bytes:
    """``value`` as canonical JSON (see the module docstring)."""
    _check(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def digest_of(value) -> str:
    """The SHA-256 of ``value``'s canonical JSON, as 64 hex digits; ``bytes`` are hashed as they are (a file)."""
    data = value if isinstance(value, bytes) else canonical_bytes(value)
    return hashlib.sha256(data).hexdigest()
