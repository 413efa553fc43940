"""Registrations for the reminder kinds and context providers of the apps that use notifications."""

from accounts.models import Invitation
from accounts.services import invitation_url

from . import registry


@registry.context_provider("accounts/email/invitation")
def _invitation_context(invitation: Invitation | None) -> dict:
    if invitation is None or not invitation.is_pending():
        raise registry.Obsolete
    # The signed link is rebuilt at send time, so the outbox never stores a usable invitation link.
    return {"invitation": invitation, "url": invitation_url(invitation)}
