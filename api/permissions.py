"""Scopes: what a token may touch. What its user may touch is the app's own policy, applied by every queryset and
service the views call; a scope only ever narrows it."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import ApiToken


class TokenScopes(BasePermission):
    """A request needs a token with ``<view.scope_area>:read`` (safe methods) or ``:write`` (the others)."""

    message = _("This token lacks the scope this request needs.")

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken) or request.user is None:
            return False
        area = getattr(view, "scope_area", None)
        if area is None:
            return False
        return token.allows(area, write=request.method not in SAFE_METHODS)


def required_scope(view, method: str) -> str:
    return f"{view.scope_area}:{'read' if method in SAFE_METHODS else 'write'}"
