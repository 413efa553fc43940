from django.shortcuts import redirect
from django.urls import reverse

from .services import MUST_ENROL_KEY

# Reachable while a session must enrol first: the enrolment itself, logging out, the language switcher.
_OPEN = ("accounts:mfa_enrol", "accounts:mfa_recovery_codes", "accounts:logout", "accounts:set_language", "healthz")


class EnrolmentRequiredMiddleware:
    """A person who must sign in with a second factor and has none (``policy.mfa_required``) is marked so at login
    (``services.must_enrol``); their session reaches only the enrolment page until they enrol. No query: the mark
    is in the session."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def open_paths(self):
        if self._open_paths is None:
            self._open_paths = frozenset(reverse(name) for name in _OPEN)
        return self._open_paths

    def __call__(self, request):
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.get(MUST_ENROL_KEY)
            and request.user.is_authenticated
            and request.path not in self.open_paths()
        ):
            return redirect("accounts:mfa_enrol")
        return self.get_response(request)
