"""Hooks that apps above accounts fill from their ``AppConfig.ready()``, so accounts never imports them.

Absence changed
    ``@on_absence_changed`` on ``fn(*, absence, deleted, now)``: called in the transaction that records, changes or
    cancels a staff absence (``deleted`` for a cancelled one, whose row is gone when the transaction commits).
    Engagements schedules the notices to the deputies who stand in and to the PM on their return; escalations
    re-plans the on-call overrides that cover the person's shifts. Every write of an absence goes through
    ``accounts.services`` (the admin's too), so this is the only way an absence reaches other apps: no model signal.

Invitation accepted
    ``@on_invitation_accepted`` on ``fn(*, invitation, user, now)``: called in the transaction that turns an
    invitation into an account. Engagements links the person's stakeholder rows to the new account.

Registering the same function twice keeps one.
"""

from collections.abc import Callable

_absence_changed: list[Callable] = []
_invitation_accepted: list[Callable] = []


def on_absence_changed(fn):
    if fn not in _absence_changed:
        _absence_changed.append(fn)
    return fn


def absence_changed(*, absence, deleted: bool = False, now) -> None:
    for reaction in _absence_changed:
        reaction(absence=absence, deleted=deleted, now=now)


def on_invitation_accepted(fn):
    if fn not in _invitation_accepted:
        _invitation_accepted.append(fn)
    return fn


def invitation_accepted(*, invitation, user, now) -> None:
    for reaction in _invitation_accepted:
        reaction(invitation=invitation, user=user, now=now)
