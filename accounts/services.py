"""Writes for accounts: invitations, deactivation, email changes. Each runs in one transaction."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import client_access
from .models import CLIENT_ROLES, Invitation, Organization, OrganizationKind, Role, User

INVITATION_SALT = "accounts.invitation"


def invitation_token(invitation: Invitation) -> str:
    # Deterministic (no timestamp): the row's expires_at decides validity.
    return signing.Signer(salt=INVITATION_SALT).sign(invitation.nonce)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("accounts:invitation_accept", args=[invitation_token(invitation)])


def invitation_from_token(token: str) -> Invitation | None:
    try:
        nonce = signing.Signer(salt=INVITATION_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Invitation.objects.select_related("organization").filter(nonce=nonce).first()


@transaction.atomic
def invitation_create(
    *, by: User, organization: Organization, email: str, full_name: str, role: str, now=None
) -> Invitation:
    now = now or timezone.now()
    # Only those who manage the client or one of its engagements bring its people in: an invited key user
    # decides for the client, so a team member must not be able to invite one (issue 7, hole 4).
    if not by.is_vendor_user or not client_access.clients_invitable_by(by).filter(pk=organization.pk).exists():
        raise PermissionDenied
    if organization.kind != OrganizationKind.CLIENT:
        raise ValidationError(_("Invitations are for client organizations only."))
    if role not in CLIENT_ROLES:
        raise ValidationError({"role": _("Choose a client role.")})
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A user with this email address already exists.")})
    # A new invitation replaces any still-pending one for the same address at this client (only:
    # another client's invitations are not this CSM's to revoke).
    Invitation.objects.pending(now).filter(email__iexact=email, organization=organization).update(revoked_at=now)
    invitation = Invitation(
        email=email,
        full_name=full_name.strip(),
        organization=organization,
        role=role,
        nonce=secrets.token_urlsafe(32),
        invited_by=by,
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    from notifications.models import Category, Channel
    from notifications.services import notify

    # Written in this transaction (the outbox): the mail exists exactly when the invitation does.
    notify(
        event=f"accounts.invitation:{invitation.pk}",
        recipients=[invitation.email],
        category=Category.ACCOUNT,
        template="accounts/email/invitation",
        target=invitation,
        url="",
        channels=(Channel.EMAIL,),
        language=by.language,
        now=now,
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, by: User, invitation: Invitation, now=None) -> None:
    now = now or timezone.now()
    invitation = Invitation.objects.visible_to(by).select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = now
        invitation.save(update_fields=["revoked_at"])


@transaction.atomic
def invitation_accept(*, token: str, password: str, full_name: str = "", now=None) -> User:
    """Turn a valid invitation into an active client account. Single use: the row is locked
    and marked accepted in the same transaction that creates the user."""
    now = now or timezone.now()
    found = invitation_from_token(token)
    if found is None:
        raise ValidationError(_("This invitation link is not valid."))
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    if invitation.accepted_at or invitation.revoked_at or invitation.expires_at <= now:
        raise ValidationError(_("This invitation has expired or has already been used."))
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(_("An account with this email address already exists."))
    user = User(
        email=invitation.email,
        full_name=(full_name or invitation.full_name).strip(),
        organization=invitation.organization,
        role=invitation.role,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    invitation.accepted_at = now
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    return user


def user_sessions_end(*, user: User) -> int:
    """Delete every session of the user. Sessions are not indexed by user, so this scans
    unexpired sessions; it runs only on deactivation, a rare admin action."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def user_deactivate(*, by: User, user: User) -> None:
    if not (by.is_superuser or by.role == Role.VENDOR_ADMIN):
        raise PermissionDenied
    user.is_active = False
    user.save(update_fields=["is_active"])
    transaction.on_commit(lambda: user_sessions_end(user=user))


@transaction.atomic
def user_change_email(*, user: User, current_password: str, new_email: str) -> User:
    if not user.check_password(current_password):
        raise ValidationError({"current_password": _("Your password was entered incorrectly.")})
    new_email = User.objects.normalize_email(new_email).lower()
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": _("A user with this email address already exists.")})
    user.email = new_email
    user.full_clean()
    user.save(update_fields=["email"])
    return user


@transaction.atomic
def user_update_preferences(*, user: User, full_name: str, time_zone: str, language: str) -> User:
    user.full_name = full_name
    user.time_zone = time_zone
    user.language = language
    user.full_clean()
    user.save(update_fields=["full_name", "time_zone", "language"])
    return user
