"""Live agenda sources: what a meeting's agenda is prefilled with beyond its template's sections.

A source is registered once (in ``GovernanceConfig.ready()``) with a key, a label and a provider::

    register_agenda_source("overdue_items", _("Overdue checklist items"), provider, position=20)

``provider(*, meeting, since, now) -> list[AgendaEntry]`` returns what is worth discussing about the meeting's
engagement since ``since`` (the previous meeting of the series, or the engagement's start). It runs a constant
number of queries whatever the engagement holds. A cadence's agenda section names a source (``live_source``) to
collect its entries under it; a source that no section names gets a section of its own, titled with its label,
when it has entries. An entry's ``ref`` says what it is about ("checklist-item:42"): the same thing is put on a
meeting's agenda once, however often the agenda is refreshed.

Nothing is read from the registry at import time, so the order of ``INSTALLED_APPS`` does not matter.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class AgendaEntry:
    ref: str
    title: str
    detail: str = ""
    url: str = ""
    # False for what the client must not read in the shared minutes (vendor-internal records).
    client_visible: bool = True
    # Set for an open action item carried over from an earlier meeting (updated from the agenda).
    action_item_id: int | None = None


@dataclass(frozen=True)
class AgendaSource:
    key: str
    label: str
    provider: Callable
    position: int = 100


_sources: dict[str, AgendaSource] = {}


def register_agenda_source(key: str, label, provider: Callable, *, position: int = 100) -> AgendaSource:
    if not key or len(key) > 40:
        raise ImproperlyConfigured(f"An agenda source needs a key of 1 to 40 characters, not {key!r}.")
    source = AgendaSource(key, label, provider, position)
    if key in _sources and _sources[key] != source:
        raise ImproperlyConfigured(f"Agenda source {key!r} is registered twice, differently.")
    _sources[key] = source
    return source


def sources() -> list[AgendaSource]:
    return sorted(_sources.values(), key=lambda source: (source.position, source.key))


def source_choices() -> list[tuple[str, str]]:
    """The choices of ``live_source`` fields (a callable, so a new source needs no migration)."""
    return [(source.key, source.label) for source in sources()]
