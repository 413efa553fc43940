"""How django-axes tells attempts apart, and the password checks outside the login page that it counts.

Attempts are counted per normalized username and per client address (``AXES_LOCKOUT_PARAMETERS``): five wrong
passwords for one account lock that account wherever they come from, and five from one address lock that
address, whichever accounts they tried. The address is the client's, never our proxy's (``client_address``), or
one attacker would lock everybody out.
"""

from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .client_address import client_ip, counted_as
from .models import email_key


def normalize_username(value) -> str | None:
    """What the login matches is what axes counts: ``" IT@Acme.example"`` is ``"it@acme.example"``, and only the
    spellings with that key sign in as that account (``models.email_key``)."""
    if value is None:
        return None
    return email_key(value)


def axes_username(request, credentials=None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the normalized username of an attempt."""
    if credentials and credentials.get("username") is not None:
        return normalize_username(credentials["username"])
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return normalize_username(data.get("username"))


def axes_client_ip(request) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the client's own address (its /64 for IPv6, ``client_address.counted_as``)."""
    return counted_as(client_ip(request))


def password_confirm(request, *, user, password: str) -> bool:
    """Check the signed-in user's current password (email or password change) as a login attempt would be
    checked: refused while the account or address is locked out, and a wrong password counts towards the lock.
    django-axes marks the request as locked out; its middleware then answers with the lockout page."""
    if not password:
        return False
    return authenticate(request, username=user.get_username(), password=password) == user


@receiver(user_logged_in, dispatch_uid="accounts.lockout.reset_on_login")
def _forget_failures_of_this_account(sender, request, user, **kwargs):
    """A successful login clears the failures counted against *this account* only.

    django-axes' own ``AXES_RESET_ON_SUCCESS`` would also clear every failure from the client's address, so an
    attacker who owns any account could log into it between guesses at someone else's and never be locked out.
    """
    AccessAttempt.objects.filter(username=normalize_username(user.get_username())).delete()
