"""What accounts tells the notifications app (registered in ``AccountsConfig.ready()``).

Links that grant something (accept an invitation, choose a password, confirm an address) are never stored in the
outbox: they are signed here, at send time, from ``SITE_URL``. A mail whose reason has gone (a revoked invitation,
a deactivated account, an address change replaced by a newer one) is cancelled instead of sent.
"""

from notifications import registry

from .services import email_change_url, invitation_url, password_reset_url

INVITATION_TEMPLATE = "accounts/email/invitation"
PASSWORD_RESET_TEMPLATE = "accounts/email/password_reset"
EMAIL_CHANGE_CONFIRM_TEMPLATE = "accounts/email/email_change_confirm"


def invitation_context(invitation) -> dict:
    """The invitation mail's signed link, rebuilt at send time, so the outbox never stores a usable link."""
    if invitation is None or not invitation.is_pending():
        raise registry.Obsolete  # Revoked, accepted or expired since it was written: cancel the mail.
    return {"invitation": invitation, "url": invitation_url(invitation)}


def password_reset_context(user) -> dict:
    """The reset link, signed when the mail is sent (it stops working once the password or address changes)."""
    if user is None or not user.is_active or not user.has_usable_password():
        raise registry.Obsolete
    return {"url": password_reset_url(user)}


def email_change_context(change) -> dict:
    """The confirmation link of the latest, still pending, address change."""
    if change is None or not change.is_pending():
        raise registry.Obsolete  # Confirmed, replaced by a newer request, or expired.
    return {"change": change, "url": email_change_url(change)}


def page_layout(user) -> str:
    """The notification centre and preferences page sit in the user's own layout: the portal for client users."""
    return "layouts/portal.html" if user.is_client_user else "layouts/staff.html"


def register() -> None:
    registry.register_context_provider(INVITATION_TEMPLATE, invitation_context)
    registry.register_context_provider(PASSWORD_RESET_TEMPLATE, password_reset_context)
    registry.register_context_provider(EMAIL_CHANGE_CONFIRM_TEMPLATE, email_change_context)
    registry.register_page_layout(page_layout)
