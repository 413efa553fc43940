"""Who may act on a red flag: each rule named once, built only from ``engagements.policy`` (no queries or role
logic of its own). The staff and portal views ask these to decide what to show and to answer 404; the services
(``services.flags``, ``services.duplicates``, ``services.plans``, ``services._common.lock``) ask the same ones
and raise ``PermissionDenied``. The URL x role matrix (``tests/url_access.GUARDS``) checks them by name."""

from engagements import policy

from .models import StepSide


def may_raise_flag(user, engagement) -> bool:
    """Raise a red flag: a client user on an engagement of theirs they see, or its team (``policy.may_work``) on
    the client's behalf."""
    if not policy.may_see(user, engagement):
        return False
    return user.is_client_user or policy.may_work(user, engagement)


def may_handle_flag(user, flag) -> bool:
    """The team's work on a flag (acknowledge, pause and resume, updates and notes, resolve, reopen, the action
    plan): staff who ``policy.may_work`` on its engagement; executives who only read it watch."""
    return policy.may_work(user, flag.engagement)


def may_update_step(user, step) -> bool:
    """Post an action-plan step's status: those who may handle its flag, on any step; the client's people on the
    client-side steps of flags they see."""
    if user.is_client_user:
        return step.owner_side == StepSide.CLIENT and policy.may_see(user, step.flag.engagement)
    return may_handle_flag(user, step.flag)


def may_escalate_flag(user, flag) -> bool:
    """Escalate by hand to the next level: the flag's owner, or those who ``policy.may_manage`` its engagement."""
    return policy.is_staff(user) and (flag.owner_id == user.pk or policy.may_manage(user, flag.engagement))


def may_reply_to_flag(user, flag) -> bool:
    """Answer on a flag from the portal (which makes one a follower, told of every change, but grants no
    decision): the client's people who see it."""
    return user.is_client_user and policy.may_see(user, flag.engagement)


def may_answer_for_client(user, flag) -> bool:
    """Confirm a resolution, reopen from the portal, mark a report a duplicate and take it back out: a decision
    for the client (``policy.may_decide`` on the flag's engagement, as for stage acceptance); reporting or following
    the flag grants none."""
    return policy.may_decide(user, flag.engagement)


def may_reopen_flag(user, flag) -> bool:
    """Reopen a resolved or closed flag: the client's decider (``may_answer_for_client``), or vendor staff (the
    service's lock also asks ``may_handle_flag`` of them)."""
    if user.is_client_user:
        return may_answer_for_client(user, flag)
    return policy.is_staff(user)
