"""Creating, revoking and checking API tokens (the writes of the ``api`` app; each in one transaction)."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .models import SCOPES, ApiToken, TokenKind

PREFIX = "op_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def split(token: str) -> str | None:
    """The public prefix of a well-formed token (``op_<prefix>_<secret>``), else ``None``."""
    if not token.startswith(PREFIX):
        return None
    prefix, sep, secret = token[len(PREFIX) :].partition("_")
    if not sep or not prefix or len(prefix) > 16 or len(secret) < 20:
        return None
    return prefix


def may_manage_tokens_of_others(user) -> bool:
    """Admins (Django admin access or superuser) create service accounts and revoke anyone's token."""
    return bool(user.is_active and (user.is_superuser or user.is_staff))


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the whole token, shown once and never stored


@transaction.atomic
def token_create(
    *,
    by: User,
    name: str,
    scopes,
    user: User | None = None,
    kind: str = TokenKind.PERSONAL,
    expires_at: datetime | None = None,
    now=None,
) -> NewToken:
    """A new token acting as ``user`` (default: ``by``). People create personal tokens for themselves; an admin also
    creates service-account tokens (acting as a user made for the system) and tokens for others."""
    now = now or timezone.now()
    user = user or by
    if not by.is_active or (user != by or kind == TokenKind.SERVICE) and not may_manage_tokens_of_others(by):
        raise PermissionDenied
    unknown = sorted(set(scopes) - set(SCOPES))
    errors = {}
    if unknown:
        errors["scopes"] = _("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(unknown)}
    elif not scopes:
        errors["scopes"] = _("Choose at least one scope.")
    if not (name or "").strip():
        errors["name"] = _("Give the token a name.")
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = _("Choose an expiry in the future.")
    if errors:
        raise ValidationError(errors)
    prefix = secrets.token_hex(4)
    secret = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        name=name.strip(),
        kind=kind,
        user=user,
        created_by=by,
        prefix=prefix,
        digest=digest(secret),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
        created_at=now,
    )
    return NewToken(token=token, secret=secret)


@transaction.atomic
def token_revoke(*, by: User, token: ApiToken, now=None) -> ApiToken:
    if not ApiToken.objects.manageable_by(by).filter(pk=token.pk).exists():
        raise PermissionDenied
    now = now or timezone.now()
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=by)
    token.refresh_from_db()
    return token


def token_lookup(secret: str, *, now) -> ApiToken | None:
    """The usable token ``secret`` names (compared in constant time), or ``None``."""
    prefix = split(secret)
    if prefix is None:
        return None
    token = ApiToken.objects.usable(now).select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, digest(secret)):
        return None
    return token


def token_touch(token: ApiToken, *, now) -> None:
    """Record a use at most once a minute per token (one UPDATE, no read), so reads cost no write per request."""
    every = timedelta(seconds=settings.API_LAST_USED_EVERY_SECONDS)
    if token.last_used_at is not None and now - token.last_used_at < every:
        return
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=now - every).update(last_used_at=now)
    token.last_used_at = now
