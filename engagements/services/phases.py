"""Phases: the one table of transitions, the move itself and its gate, the sales handoff."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from webhooks.services import emit

from .. import hooks, policy
from ..models import (
    Engagement,
    Handoff,
    Phase,
)
from ..webhook_events import engagement_data
from .common import save
from .engagements import engagement_lock

# The one table of phase transitions; ``engagement_change_phase`` is the only way to move.
ALLOWED_TRANSITIONS = {
    Phase.HANDOFF: {Phase.KICKOFF, Phase.CLOSED},
    Phase.KICKOFF: {Phase.ONBOARDING, Phase.HANDOFF, Phase.CLOSED},
    Phase.ONBOARDING: {Phase.LIVE, Phase.CLOSED},
    Phase.LIVE: {Phase.ONBOARDING, Phase.CLOSED},
    Phase.CLOSED: set(),
}


def transitions_from(phase: str) -> list[tuple[str, str]]:
    """Allowed next phases, forward ones first (the usual move), for the phase picker."""
    order = Phase.values
    here = order.index(phase)
    allowed = sorted(
        ALLOWED_TRANSITIONS[phase], key=lambda p: (order.index(p) < here, p == Phase.CLOSED, order.index(p))
    )
    return [(p, Phase(p).label) for p in allowed]


@transaction.atomic
def engagement_change_phase(
    *, by: User, engagement: Engagement, to: str, kickoff_on: date | None = None, reason: str = "", now=None
) -> Engagement:
    """Move an engagement to another phase, if the transitions table and the gates allow it.

    Moving to the kickoff sets the kickoff date (``kickoff_on``, else the one already planned, else today): the
    first-30-days timeline, the day-30 question and the checklist's due dates count from it. Closing needs the
    reason, which is kept with the engagement."""
    now = now or timezone.now()
    policy.require_manage(by, engagement)
    engagement = engagement_lock(engagement)
    if to not in ALLOWED_TRANSITIONS.get(engagement.phase, set()):
        raise ValidationError(
            _("An engagement cannot move from %(from)s to %(to)s.")
            % {"from": engagement.get_phase_display(), "to": Phase(to).label if to in Phase.values else to}
        )
    reason = (reason or "").strip()
    if to == Phase.CLOSED and not reason:
        raise ValidationError({"reason": _("Say why the engagement is closed; the reason stays with it.")})
    missing = hooks.phase_blockers(engagement, to=to)
    if missing:
        if to == Phase.LIVE:
            raise ValidationError(
                _("The engagement cannot go live yet: %(missing)s.") % {"missing": "; ".join(missing)}
            )
        raise ValidationError(
            _("The engagement cannot move to %(phase)s yet: %(missing)s.")
            % {"phase": Phase(to).label, "missing": "; ".join(missing)}
        )
    anchors = (engagement.kickoff_on, engagement.contract_signed_on)
    if to == Phase.KICKOFF and kickoff_on is not None:
        engagement.kickoff_on = kickoff_on
    if to in (Phase.KICKOFF, Phase.ONBOARDING) and engagement.kickoff_on is None:
        # The kickoff date anchors the first-30-days timeline, the day-30 satisfaction question
        # and the checklist's kickoff-relative due dates.
        engagement.kickoff_on = timezone.localdate(now)
    if to == Phase.CLOSED:
        engagement.closed_at, engagement.closed_reason = now, reason
    from_phase, engagement.phase = engagement.phase, to
    save(engagement)
    if (engagement.kickoff_on, engagement.contract_signed_on) != anchors:
        hooks.anchor_dates_moved(engagement=engagement, by=by, now=now)
    hooks.phase_changed(engagement=engagement, from_phase=from_phase, by=by, now=now)
    emit(
        "engagement.phase_changed",
        {**engagement_data(engagement), "from_phase": from_phase, "to_phase": to},
        organization=engagement.client_id,
        engagement=engagement,
        now=now,
    )
    return engagement


def handoff_gate(engagement: Engagement) -> list[str]:
    """The kickoff needs the completed sales handoff (a phase gate, registered in ``EngagementsConfig.ready``)."""
    if Handoff.objects.filter(engagement=engagement, handed_over_at__isnull=False).exists():
        return []
    return [_("record and complete the sales handoff")]


@transaction.atomic
def handoff_record(*, by: User, engagement: Engagement, complete: bool = False, now=None, **fields) -> Handoff:
    """Create or update the handoff; ``complete`` marks it handed over (opening the kickoff gate)."""
    now = now or timezone.now()
    policy.require_manage(by, engagement)
    handoff = Handoff.objects.filter(engagement=engagement).first() or Handoff(engagement=engagement, recorded_by=by)
    for field, value in fields.items():
        setattr(handoff, field, value)
    if handoff.handed_over_by_id is None:
        handoff.handed_over_by = engagement.account_executive or by
    if complete and handoff.handed_over_at is None:
        handoff.handed_over_at = now
    return save(handoff)
