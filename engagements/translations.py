"""Content the vendor configures (checklist templates, cadences and their agendas) is written in one language per
row; the rows that translate each other share a ``key``. Which row a reader or a client gets is decided here once."""

from collections.abc import Iterable


def one_per_key(rows: Iterable, language: str) -> list:
    """Of rows with ``key`` and ``language`` (already in the order wanted), one per key: the one in ``language``,
    else the English one, else the first; in the order of each key's first row."""
    preference = {language: 0, "en": 1}
    best = {}
    for row in rows:
        current = best.get(row.key)
        if current is None or preference.get(row.language, 2) < preference.get(current.language, 2):
            best[row.key] = row
    return list(best.values())
