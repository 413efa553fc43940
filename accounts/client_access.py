"""Which clients a vendor person works for, asked by accounts and answered by the app above it.

Accounts knows people and organizations, but not who works for which client: that follows from client profiles
and engagements (``engagements.policy``). So accounts never imports them; the answering module registers itself
from its ``AppConfig.ready()``::

    client_access.register(policy)   # a module or object with the three functions below

Until something registers (accounts on its own), a vendor person works for no client: access fails closed.
"""

from django.apps import apps
from django.db.models import QuerySet

_provider = None


def register(provider) -> None:
    """``provider`` has ``clients_seen_by(user)``, ``clients_managed_by(user)`` and ``clients_invitable_by(user)``,
    each returning a queryset of client organizations."""
    global _provider
    _provider = provider


def _ask(question: str, user) -> QuerySet:
    if _provider is None:
        # Looked up in the app registry: the models import this module (their querysets ask it).
        return apps.get_model("accounts", "Organization").objects.none()
    return getattr(_provider, question)(user)


def clients_seen_by(user) -> QuerySet:
    """Client organizations the user sees (through their engagements, or as the client's CSM)."""
    return _ask("clients_seen_by", user)


def clients_managed_by(user) -> QuerySet:
    """Client organizations whose profile and invitations the user manages."""
    return _ask("clients_managed_by", user)


def clients_invitable_by(user) -> QuerySet:
    """Client organizations whose people the user may invite."""
    return _ask("clients_invitable_by", user)
