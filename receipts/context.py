"""How a decision's person was authenticated, and from which address: read from the request by the view and passed
to the deciding service explicitly (services never read requests).

Authentication records are allauth's: the session key ``account_authentication_methods`` holds a list of dicts
whose ``method`` is ``password``, ``mfa`` or ``socialaccount`` (allauth writes one per step of a login). Without
them (the project's own login) the person signed in with their password.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.client_address import client_ip

SESSION_KEY = "account_authentication_methods"
METHODS = {
    "password": _("password"),
    "mfa": _("second factor"),
    "socialaccount": _("single sign-on"),
}


@dataclass(frozen=True)
class DecisionContext:
    authenticated_by: tuple[str, ...] = ("password",)
    address: str | None = None


def authentication_methods(session) -> tuple[str, ...]:
    """The distinct known methods of the session's authentication records, in the order they were made."""
    records = session.get(SESSION_KEY) if session is not None else None
    methods: list[str] = []
    if isinstance(records, list):
        for record in records:
            method = record.get("method") if isinstance(record, dict) else None
            if method in METHODS and method not in methods:
                methods.append(method)
    return tuple(methods) or ("password",)


def decision_context(request) -> DecisionContext:
    """What a decision made in this request records about its person's sign-in (views call it)."""
    return DecisionContext(
        authenticated_by=authentication_methods(getattr(request, "session", None)), address=client_ip(request)
    )


def methods_display(methods) -> str:
    return ", ".join(str(METHODS.get(method, method)) for method in methods)


# The decisions receipts record, in words.
DECISIONS = {
    "accepted": _("accepted"),
    "rejected": _("rejected"),
    "acknowledged": _("acknowledged"),
    "confirmed": _("confirmed"),
    "reopened": _("reopened"),
}


def decision_display(decision: str) -> str:
    return str(DECISIONS.get(decision, decision))
