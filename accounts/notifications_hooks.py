"""What account mail needs when the relay sends it (registered with notifications in ``AccountsConfig.ready``).

Links that grant something (choose a password, confirm an address) are never stored in the outbox: they are
signed here, at send time, from ``SITE_URL``. A mail whose reason has gone (the account was deactivated, a newer
address change replaced this one) is cancelled instead of sent.
"""

from notifications import registry

from .models import EmailChange, User
from .services import email_change_url, password_reset_url


@registry.context_provider("accounts/email/password_reset")
def _password_reset_context(user: User | None) -> dict:
    if user is None or not user.is_active or not user.has_usable_password():
        raise registry.Obsolete
    return {"url": password_reset_url(user)}


@registry.context_provider("accounts/email/email_change_confirm")
def _email_change_context(change: EmailChange | None) -> dict:
    if change is None or not change.is_pending():
        raise registry.Obsolete
    return {"change": change, "url": email_change_url(change)}
