"""``Authorization: Bearer op_…``: the token's user is the request's user; a wrong token counts as a wrong password.

django-axes counts the failure under the token's prefix and, separately, the client's address (the same
``AXES_LOCKOUT_PARAMETERS`` and ``accounts.lockout`` callables as the login page), so five wrong tokens from one
address lock that address out of the login page as well, and vice versa.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from . import tokens


class LockedOut(exceptions.Throttled):
    default_detail = _("Too many failed attempts from this address; try again later.")
    default_code = "locked_out"


def _credentials(secret: str) -> dict:
    # The lockout's "username" for a token: its public prefix, so guesses at one token lock that token.
    return {"username": f"api-token:{tokens.split(secret) or '-'}"}


class BearerTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _sep, secret = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        secret = secret.strip()
        django_request = request._request
        credentials = _credentials(secret)
        if getattr(settings, "AXES_ENABLED", True) and AxesProxyHandler.is_locked(django_request, credentials):
            raise LockedOut(wait=settings.AXES_COOLOFF_TIME.total_seconds())
        now = timezone.now()
        token = tokens.token_lookup(secret, now=now)
        if token is None:
            user_login_failed.send(sender=__name__, credentials=credentials, request=django_request)
            if getattr(django_request, "axes_locked_out", False):
                # Answered here as problem details, not by axes' middleware with the login page's lockout page.
                django_request.axes_locked_out = False
                raise LockedOut(wait=settings.AXES_COOLOFF_TIME.total_seconds())
            raise exceptions.AuthenticationFailed(_("The token is wrong, expired or revoked."))
        tokens.token_touch(token, now=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
