"""Who may act on a meeting, its minutes and its action items: each rule named once, built only from
``engagements.policy`` (and the scoped querysets it defines). The staff and portal views ask these to decide what
to show and to answer 404; the services (``services.agenda``, ``services.minutes``, ``services.actions``) ask the
same ones and raise ``PermissionDenied``. The URL x role matrix (``tests/url_access.GUARDS``) checks them by name."""

from engagements import policy
from engagements.models import Side

from .models import ActionItem


def may_run_meeting(user, meeting) -> bool:
    """Edit a meeting's agenda, attendance, minutes and outcomes, prepare, move, hold, cancel and share it: those
    who manage the engagement (``policy.may_manage``)."""
    return policy.may_manage(user, meeting.engagement)


def may_update_action_item(user, action_item) -> bool:
    """Complete, drop or reopen an action item: staff who manage the engagement, and the item's owner; a client
    user only their client's items they can read (shared, client-side)."""
    if not action_item.is_action:
        return False
    if user.is_client_user:
        readable = ActionItem.objects.visible_to(user).filter(pk=action_item.pk)
        return action_item.owner_side == Side.CLIENT and readable.exists()
    return policy.may_manage(user, action_item.meeting.engagement) or action_item.owner_id == user.pk


def may_acknowledge_minutes(user, meeting) -> bool:
    """Confirm having read a client meeting's minutes: who decides for the client (``policy.may_decide``)."""
    return not meeting.is_internal and policy.may_decide(user, meeting.engagement)


def may_comment_minutes(user, meeting) -> bool:
    """Comment on a client meeting's shared minutes: who decides for the client, and the team answering them
    (``policy.may_work``)."""
    if meeting.is_internal or meeting.minutes_version == 0:
        return False
    if user.is_client_user:
        return policy.may_decide(user, meeting.engagement)
    return policy.may_work(user, meeting.engagement)
