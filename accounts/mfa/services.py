"""Writes and checks of the second factor: enrolment, the code check (counted by the lockout), recovery codes,
the records of how a session signed in, and an admin's reset of a lost factor.

allauth's ``internal`` helpers used here (``record_authentication``, ``post_authentication``) are the ones its own
login calls; they keep the records where ``allauth.account.authentication.get_authentication_records`` reads them.
"""

import time

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.adapter import get_adapter
from allauth.mfa.base.internal.flows import post_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, validate_totp_code
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.signals import user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from notifications.models import Category, Channel
from notifications.services import notify

from ..models import User
from .policy import has_second_factor, mfa_required

# The session keys of the login's second step and of a session that must enrol before anything else.
PENDING_KEY = "mfa.pending"
MUST_ENROL_KEY = "mfa.must_enrol"
# The secret offered on the enrolment page until its first code is confirmed (never stored before that).
ENROL_SECRET_KEY = "mfa.enrol_secret"
# Recovery codes made just now, shown once on the next page.
FRESH_CODES_KEY = "mfa.fresh_recovery_codes"


def _credentials(user) -> dict:
    # What django-axes counts a wrong code under: the account's normalized username, as a wrong password.
    return {"username": user.get_username()}


def is_locked_out(request, user) -> bool:
    """Whether the account or the client address is locked out (wrong passwords and wrong codes alike)."""
    return bool(getattr(settings, "AXES_ENABLED", True) and AxesProxyHandler.is_locked(request, _credentials(user)))


def verify_code(request, *, user, code: str) -> Authenticator | None:
    """The authenticator a code of ``user`` belongs to (an authenticator app's current code, or an unused recovery
    code, then used up), else None. A wrong code counts towards the lockout as a wrong password does; at the limit
    django-axes marks the request locked out and its middleware answers with the lockout page."""
    code = (code or "").strip().replace(" ", "")
    authenticators = {a.type: a for a in Authenticator.objects.filter(user_id=user.pk)}
    totp = authenticators.get(Authenticator.Type.TOTP)
    if code and totp is not None and totp.wrap().validate_code(code):
        return totp
    codes = authenticators.get(Authenticator.Type.RECOVERY_CODES)
    if code and codes is not None and codes.wrap().validate_code(code):
        return codes
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    return None


def record_password(request, user) -> None:
    """The session signed in with ``user``'s password (allauth's authentication record)."""
    record_authentication(request, user, "password", email=user.email)


def record_second_factor(request, authenticator: Authenticator, *, step_up: bool = False) -> None:
    """A code of ``authenticator`` was checked in this session: allauth's ``"mfa"`` record (``reauthenticated``
    for a step-up), its last-used time, and the signal allauth sends."""
    post_authentication(request, authenticator, reauthenticated=step_up)


def last_second_factor_at(request, user) -> float | None:
    """When this session last checked a code of ``user`` (seconds since the epoch), or None."""
    times = [r.get("at") for r in get_authentication_records(request, user) if r.get("method") == "mfa"]
    return max((t for t in times if t is not None), default=None)


def second_factor_is_recent(request, user, *, now: float | None = None) -> bool:
    at = last_second_factor_at(request, user)
    now = time.time() if now is None else now
    return at is not None and now - at <= settings.MFA_STEP_UP_MINUTES * 60


def must_enrol(request, user) -> bool:
    """Marks the session of a person who must have a second factor and has none: it reaches only the enrolment
    page until they enrol (``middleware.EnrolmentRequiredMiddleware``)."""
    if mfa_required(user) and not has_second_factor(user):
        request.session[MUST_ENROL_KEY] = True
        return True
    request.session.pop(MUST_ENROL_KEY, None)
    return False


# --- Enrolment ---------------------------------------------------------------------------------------------------


def enrolment_secret(request) -> str:
    """The secret offered to the authenticator app, kept in the session until its first code is confirmed."""
    secret = request.session.get(ENROL_SECRET_KEY)
    if not secret:
        secret = request.session[ENROL_SECRET_KEY] = generate_totp_secret()
    return secret


def enrolment_uri(user, secret: str) -> str:
    return get_adapter().build_totp_url(user, secret)


def enrolment_qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as an inline SVG element (no XML declaration), named for screen readers."""
    svg = get_adapter().build_totp_svg(uri)
    svg = svg[svg.index("<svg") :]
    label = escape(_("QR code for your authenticator app"))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


@transaction.atomic
def totp_enrol(request, *, user: User, code: str) -> list[str]:
    """Turn on the authenticator app whose secret the enrolment page showed, if ``code`` is its current code;
    returns the new recovery codes (shown once). A wrong code changes nothing and says so."""
    secret = request.session.get(ENROL_SECRET_KEY)
    if not secret:
        raise ValidationError({"code": _("The enrolment expired. Scan the new QR code and enter its code.")})
    if not validate_totp_code(secret, (code or "").strip().replace(" ", "")):
        raise ValidationError(
            {"code": _("That code is not the app's current one. Check the phone's clock and enter the new code.")}
        )
    # Locked first, so a double submit sets up one authenticator app, not two.
    User.objects.select_for_update().get(pk=user.pk)
    if Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists():
        raise ValidationError(_("An authenticator app is already set up for your account."))
    totp = TOTP.activate(user, secret).instance
    Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES).delete()
    codes = RecoveryCodes.activate(user)
    request.session.pop(ENROL_SECRET_KEY, None)
    # Enrolling is itself a checked code: the session now has a fresh second factor and may use the app.
    record_second_factor(request, totp)
    request.session.pop(MUST_ENROL_KEY, None)
    return codes.get_unused_codes()


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """New recovery codes for ``user`` (the old ones stop working); only with an authenticator app set up."""
    if not has_second_factor(user):
        raise ValidationError(_("Set up an authenticator app first; recovery codes stand in for it."))
    User.objects.select_for_update().get(pk=user.pk)
    Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES).delete()
    return RecoveryCodes.activate(user).get_unused_codes()


def recovery_codes_left(user) -> int | None:
    codes = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES).first()
    return None if codes is None else len(codes.wrap().get_unused_codes())


@transaction.atomic
def totp_remove(*, user: User) -> None:
    """A person turns their authenticator app off: only who is not required to have one (``mfa_required``)."""
    if mfa_required(user):
        raise ValidationError(_("Your account must sign in with a second factor; it cannot be turned off."))
    Authenticator.objects.filter(user_id=user.pk).delete()


# --- An admin resets a lost factor -------------------------------------------------------------------------------


@transaction.atomic
def mfa_reset(*, by: User, user: User, now=None) -> int:
    """An admin removes ``user``'s authenticators (a lost phone): the person signs in with their password and, if
    they must have a second factor, enrols again before anything else. Recorded in the admin's history of the
    user (a ``LogEntry`` by ``by``) and told to the person by mail (the outbox). Returns how many were removed."""
    if not (by.is_superuser or (by.is_staff and by.has_perm("accounts.change_user"))):
        raise PermissionDenied
    now = now or timezone.now()
    removed, _details = Authenticator.objects.filter(user_id=user.pk).delete()
    if not removed:
        return 0
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=[user],
        action_flag=CHANGE,
        change_message=[{"changed": {"fields": ["two-factor authentication reset"]}}],
        single_object=True,
    )
    notify(
        event=f"accounts.mfa_reset:{user.pk}:{int(now.timestamp())}",
        recipients=[user.email],
        category=Category.ACCOUNT,
        template="accounts/email/mfa_reset",
        context={"reset_at": now, "by_name": by.full_name or by.email},
        target=user,
        url="",
        channels=(Channel.EMAIL,),
        language=user.language,
        now=now,
    )
    return removed


def reset_log_entries(user):
    """The admin's history rows of ``user``'s resets (newest first)."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        change_message__contains="two-factor authentication reset",
    ).order_by("-action_time")
