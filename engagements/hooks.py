"""Hooks that the apps above engagements fill from their ``AppConfig.ready()``, so engagements never imports them.

Phase gates
    ``@phase_gate(to=Phase.LIVE, from_phase=Phase.ONBOARDING)`` on ``fn(engagement) -> list[str]``: what keeps the
    engagement from moving into ``to`` (from ``from_phase``, or from any phase when it is ``None``), as short
    translated phrases; an empty list lets it through. ``engagement_change_phase`` refuses the move while any gate
    names something, and the engagement page lists ``phase_blockers`` before anyone tries. Engagements registers
    its own kickoff gate (a completed handoff); checklists registers the go-live gate (the client's acceptances).

Anchor dates moved
    ``@on_anchor_dates_moved`` on ``fn(*, engagement, by, now)``: called inside the transaction that set or moved
    the engagement's kickoff or contract signature date (the dates plans count from). Checklists moves the due
    dates that came from a template with them.

Phase changes
    ``@on_phase_changed`` on ``fn(*, engagement, from_phase, by, now)``: called inside the transaction that moved
    the engagement to another phase (``engagement.phase`` is the new one). Governance ends the meeting series of
    a closed engagement and cancels its meetings still to come.

Promise sources
    ``register_promise_source(value, label)``: where a ``Promise`` comes from. Engagements registers the
    sales handoff, the contract and conversations; governance adds the promises made in meetings.

Working calendars
    ``register_work_calendars(fn)`` with ``fn(engagement_ids) -> {engagement_id: WorkCalendar}``: the working days
    of each engagement's plan (``working_days.WorkCalendar``), in a constant number of queries. Escalations
    answers from the engagement's business calendar (its weekdays and holidays); without an answer an engagement
    works Monday to Friday less ``settings.HOLIDAY_COUNTRY``'s public holidays.

Registration is idempotent (registering the same function twice keeps one), so a ``ready()`` that runs again
does not double a gate.
"""

from collections.abc import Callable

_gates: list[tuple[str | None, str, Callable]] = []
_anchor_reactions: list[Callable] = []


def phase_gate(*, to: str, from_phase: str | None = None):
    def register(fn):
        if not any(entry[2] is fn for entry in _gates):
            _gates.append((from_phase, to, fn))
        return fn

    return register


def phase_blockers(engagement, *, to: str) -> list[str]:
    """Everything the registered gates say keeps ``engagement`` from moving into ``to`` from its current phase."""
    missing = []
    for from_phase, gate_to, gate in _gates:
        if gate_to == to and from_phase in (None, engagement.phase):
            missing.extend(gate(engagement))
    return missing


def on_anchor_dates_moved(fn):
    if fn not in _anchor_reactions:
        _anchor_reactions.append(fn)
    return fn


def anchor_dates_moved(*, engagement, by, now) -> None:
    for reaction in _anchor_reactions:
        reaction(engagement=engagement, by=by, now=now)


# --- Phase changes -----------------------------------------------------------------------------------------------

_phase_reactions: list[Callable] = []


def on_phase_changed(fn):
    if fn not in _phase_reactions:
        _phase_reactions.append(fn)
    return fn


def phase_changed(*, engagement, from_phase: str, by, now) -> None:
    for reaction in _phase_reactions:
        reaction(engagement=engagement, from_phase=from_phase, by=by, now=now)


# --- Promise sources ------------------------------------------------------------------------------------------

_promise_sources: dict[str, object] = {}


def register_promise_source(value: str, label) -> None:
    """A kind of promise an app records as a ``Promise`` (the sales handoff, the contract, a governance
    meeting...): ``value`` is stored, ``label`` shown. Registering the same value again replaces its label."""
    _promise_sources[value] = label


def promise_source_choices() -> list[tuple[str, object]]:
    """The ``Promise.source`` choices: every registered source (the field's choices are this callable, so a new
    source needs no migration)."""
    return list(_promise_sources.items())


# The name the field's choices had; the historical migrations refer to it.
commitment_source_choices = promise_source_choices


_calendar_providers: list[Callable] = []


def register_work_calendars(fn):
    if fn not in _calendar_providers:
        _calendar_providers.append(fn)
    return fn


def work_calendars(engagement_ids) -> dict:
    """Each engagement's ``WorkCalendar``: the registered providers' answer, else the default one."""
    from django.conf import settings

    from .working_days import WorkCalendar

    engagement_ids = set(engagement_ids)
    found: dict = {}
    for provider in _calendar_providers:
        missing = engagement_ids - set(found)
        if missing:
            found.update(provider(missing))
    fallback = WorkCalendar(country=getattr(settings, "HOLIDAY_COUNTRY", ""))
    return {pk: found.get(pk) or fallback for pk in engagement_ids}
