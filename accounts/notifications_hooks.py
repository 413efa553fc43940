"""What accounts tells the notifications app (registered in ``AccountsConfig.ready()``)."""

from notifications import registry

INVITATION_TEMPLATE = "accounts/email/invitation"


def invitation_context(invitation) -> dict:
    """The invitation mail's signed link, rebuilt at send time, so the outbox never stores a usable link."""
    from .services import invitation_url

    if invitation is None or not invitation.is_pending():
        raise registry.Obsolete  # Revoked, accepted or expired since it was written: cancel the mail.
    return {"invitation": invitation, "url": invitation_url(invitation)}


def page_layout(user) -> str:
    """The notification centre and preferences page sit in the user's own layout: the portal for client users."""
    return "layouts/portal.html" if user.is_client_user else "layouts/staff.html"


def register() -> None:
    registry.register_context_provider(INVITATION_TEMPLATE, invitation_context)
    registry.register_page_layout(page_layout)
