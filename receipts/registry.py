"""The kinds of client decision a receipt can be for. Each deciding app registers its kinds in ``ready()``: how to
read, from the stored decision, the content it was about as it is *now* (so that verification re-computes the
digest from what is stored, and a changed version shows as a mismatch). Nothing is read at import time."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DecisionKind:
    """``content(object_id)`` returns the canonical payload (a JSON-able value, or the bytes of a file) of what the
    decision ``object_id`` of this kind was about, as stored now; ``None`` when it is no longer stored."""

    key: str
    content: Callable[[str], object]


_kinds: dict[str, DecisionKind] = {}


def register_kind(key: str, *, content: Callable[[str], object]) -> None:
    _kinds[key] = DecisionKind(key, content)


def kind(key: str) -> DecisionKind | None:
    return _kinds.get(key)


def kinds() -> list[str]:
    return sorted(_kinds)
