"""Writes for accounts: invitations, deactivation, password resets, email changes. Each runs in one transaction.

Every account mail goes through the outbox (``notifications.services.notify``), written in the transaction of
the event, and never carries a usable link in the stored row: the link is signed again when the mail is sent
(``accounts.notifications_hooks``). Mail that anyone can ask for is limited per address and client address
(``accounts.throttle``).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from notifications.models import Category, Channel
from notifications.services import notify

from . import client_access, hooks
from .models import (
    CLIENT_ROLES,
    AbsenceReason,
    EmailChange,
    Invitation,
    Organization,
    OrganizationKind,
    Role,
    StaffAbsence,
    User,
)
from .throttle import mail_throttle

INVITATION_SALT = "accounts.invitation"
EMAIL_CHANGE_SALT = "accounts.email_change"


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
    *,
    by: User,
    organization: Organization,
    email: str,
    full_name: str,
    role: str,
    client_ip: str | None = None,
    now=None,
) -> Invitation:
    now = now or timezone.now()
    # Only those who manage the client or one of its engagements bring its people in: an invited key user
    # decides for the client, so a team member must not be able to invite one (and so decide themselves). A client's key
    # user brings in members of their own organization, never another key user (who would decide for the client).
    if key_user_manages_members(by, organization):
        if role != Role.CLIENT_MEMBER:
            raise ValidationError({"role": _("You can invite members of your organization only.")})
    elif not by.is_vendor_user or not client_access.clients_invitable_by(by).filter(pk=organization.pk).exists():
        raise PermissionDenied
    if organization.kind != OrganizationKind.CLIENT:
        raise ValidationError(_("Invitations are for client organizations only."))
    if role not in CLIENT_ROLES:
        raise ValidationError({"role": _("Choose a client role.")})
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A user with this email address already exists.")})
    pending = Invitation.objects.pending(now).filter(email__iexact=email, organization=organization)
    _refuse_to_replace_what_is_not_yours(by, pending)
    mail_throttle(kind="invitation", email=email, client_ip=client_ip, signed_in=True)
    earlier = (
        Invitation.objects.filter(email__iexact=email, organization=organization, accepted_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )
    earlier_was_pending = earlier is not None and earlier.is_pending(now)
    # A new invitation replaces any still-pending one for the same address at this client (only: another client's
    # invitations are not this CSM's to revoke); each was checked above to be the inviter's to revoke.
    pending.update(revoked_at=now)
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
    # What became of the earlier invitation to the same address, for the page to say (``invitation_replaced_note``).
    invitation.earlier, invitation.earlier_was_pending = earlier, earlier_was_pending
    return invitation


def _refuse_to_replace_what_is_not_yours(by: User, pending) -> None:
    """Inviting an address again revokes its pending invitation, so only who may revoke that one may (a client's
    key user must not turn the CSM's key-user invitation into a member one). The rows are locked, so a revocation
    and a new invitation to the same address do not cross."""
    others = (
        pending.select_for_update(of=("self",))
        .exclude(pk__in=Invitation.objects.revocable_by(by).values("pk"))
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )
    theirs = next(iter(others), None)
    if theirs is None:
        return
    inviter = str(theirs.invited_by) if theirs.invited_by_id else _("an administrator")
    raise ValidationError(
        {
            "email": _(
                "%(email)s has a pending invitation from %(inviter)s, which you may not replace: ask %(inviter)s or "
                "the client's CSM to send it again or revoke it."
            )
            % {"email": theirs.email, "inviter": inviter}
        }
    )


def invitation_replaced_note(invitation: Invitation) -> str:
    """What happened to the earlier invitation to the same address, in words (empty when there was none)."""
    earlier = getattr(invitation, "earlier", None)
    if earlier is None:
        return ""
    sent = date_format(timezone.localtime(earlier.created_at), "SHORT_DATE_FORMAT")
    if getattr(invitation, "earlier_was_pending", False):
        return _("The earlier invitation of %(sent)s was withdrawn: its link no longer works, only the new one.") % {
            "sent": sent
        }
    if earlier.revoked_at:
        return _("The earlier invitation of %(sent)s had been revoked.") % {"sent": sent}
    return _("The earlier invitation of %(sent)s had expired.") % {"sent": sent}


@transaction.atomic
def invitation_resend(*, by: User, invitation: Invitation, client_ip: str | None = None, now=None) -> Invitation:
    """Send the invitation again, as a new one with a new link (the earlier link stops working)."""
    invitation = Invitation.objects.visible_to(by).get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError(_("This invitation was accepted: the person has an account already."))
    return invitation_create(
        by=by,
        organization=invitation.organization,
        email=invitation.email,
        full_name=invitation.full_name,
        role=invitation.role,
        client_ip=client_ip,
        now=now,
    )


@transaction.atomic
def invitation_revoke(*, by: User, invitation: Invitation, now=None) -> None:
    now = now or timezone.now()
    invitation = Invitation.objects.revocable_by(by).select_for_update().get(pk=invitation.pk)
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
    hooks.invitation_accepted(invitation=invitation, user=user, now=now)
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


def key_user_manages_members(by: User, organization: Organization) -> bool:
    """An active key user, for their own client organization: invites and deactivates its members (only)."""
    return bool(
        by.is_active
        and by.is_key_user
        and organization.kind == OrganizationKind.CLIENT
        and organization.pk == by.organization_id
    )


@transaction.atomic
def user_deactivate(*, by: User, user: User) -> None:
    """Admins deactivate anyone; a key user, the members of their own organization (not its key users, nor staff).
    The person's sessions end with it."""
    own_member = (
        key_user_manages_members(by, user.organization) and user.role == Role.CLIENT_MEMBER and user.pk != by.pk
    )
    if not (by.is_superuser or by.role == Role.VENDOR_ADMIN or own_member):
        raise PermissionDenied
    user.is_active = False
    user.save(update_fields=["is_active"])
    transaction.on_commit(lambda: user_sessions_end(user=user))


def _account_mail(*, event: str, to, template: str, target=None, context=None, language: str = "", now) -> None:
    """One account mail (email only, never switched off by a preference) into the outbox."""
    notify(
        event=event,
        recipients=[to],
        category=Category.ACCOUNT,
        template=template,
        context=context,
        target=target,
        url="",
        channels=(Channel.EMAIL,),
        language=language,
        now=now,
    )


# --- Password reset ----------------------------------------------------------------------------------------


def password_reset_url(user: User) -> str:
    """The link that lets ``user`` choose a new password: from ``SITE_URL``, never from the request's Host
    header (which an attacker sends), and signed when the mail is sent (it stops working once the password,
    the last login or the email address changes, or after ``PASSWORD_RESET_TIMEOUT``)."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL + path


def password_reset_request(*, email: str, client_ip: str | None = None, now=None) -> None:
    """Mail a reset link to the active account with this address, if there is one.

    The caller answers the same whether or not there was (the page never tells which addresses have accounts);
    the limits count every request either way. Raises ``MailThrottled`` over a limit."""
    now = now or timezone.now()
    email = User.objects.normalize_email(email.strip()).lower()
    mail_throttle(kind="password_reset", email=email, client_ip=client_ip)
    with transaction.atomic():
        # The account that signs in with this address, matched as the login and the limit above match it.
        for user in User.objects.with_email(email).filter(is_active=True):
            if not user.has_usable_password():
                continue
            _account_mail(
                event=f"accounts.password_reset:{user.pk}:{now.isoformat()}",
                to=user,
                template="accounts/email/password_reset",
                target=user,
                now=now,
            )


# --- Email change ------------------------------------------------------------------------------------------


def email_change_token(change: EmailChange) -> str:
    # Deterministic (no timestamp): the row's expires_at and confirmed_at decide validity.
    return signing.Signer(salt=EMAIL_CHANGE_SALT).sign(change.nonce)


def email_change_url(change: EmailChange) -> str:
    return settings.SITE_URL + reverse("accounts:email_change_confirm", args=[email_change_token(change)])


def email_change_from_token(token: str) -> EmailChange | None:
    try:
        nonce = signing.Signer(salt=EMAIL_CHANGE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return EmailChange.objects.select_related("user").filter(nonce=nonce).first()


@transaction.atomic
def email_change_request(*, user: User, new_email: str, client_ip: str | None = None, now=None) -> EmailChange:
    """Ask to move ``user``'s sign-in address to ``new_email``. The caller has confirmed the current password.

    Nothing changes yet: the new address gets a single-use link (``email_change_confirm``). When the address
    already belongs to another account, the answer is the same (so the form cannot be used to find out who
    has an account); that account's owner gets a mail saying someone tried, and there is nothing to confirm.
    """
    now = now or timezone.now()
    new_email = User.objects.normalize_email(new_email.strip()).lower()
    if new_email == user.email.lower():
        raise ValidationError({"email": _("This is already your email address.")})
    mail_throttle(kind="email_change", email=new_email, client_ip=client_ip, signed_in=True)
    # One request of a user at a time (two tabs submitted at once): without the lock each would miss the other's
    # uncommitted row below and leave two links pending.
    User.objects.select_for_update().filter(pk=user.pk).first()
    # The latest request is the one that counts; links mailed for earlier ones stop working.
    EmailChange.objects.pending(now).filter(user=user).update(cancelled_at=now)
    change = EmailChange(
        user=user,
        new_email=new_email,
        nonce=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + timedelta(hours=settings.EMAIL_CHANGE_VALID_HOURS),
    )
    change.full_clean()
    change.save()
    # Exactly this address (``email_key``), as the limit above counted it: the database's case-insensitive match would
    # also find "it@..." for "ıt@...", and mail its holder once more per such spelling. (Confirming still refuses
    # any address that the database would fold onto another account's.)
    holder = User.objects.with_email(new_email).exclude(pk=user.pk).first()
    if holder is None:
        _account_mail(
            event=f"accounts.email_change:{change.pk}",
            to=new_email,
            template="accounts/email/email_change_confirm",
            target=change,
            language=user.language,
            now=now,
        )
    else:
        _account_mail(
            event=f"accounts.email_change_taken:{change.pk}",
            to=holder,
            template="accounts/email/email_change_taken",
            context={"address": new_email},
            now=now,
        )
    return change


@transaction.atomic
def email_change_confirm(*, token: str, now=None) -> User:
    """Apply the change whose link was opened: single use, before it expires, and only the latest request of
    its user. The old address is told (it may belong to someone whose account was just taken over)."""
    now = now or timezone.now()
    found = email_change_from_token(token)
    if found is None:
        raise ValidationError(_("This link is not valid."), code="invalid")
    change = EmailChange.objects.select_for_update().get(pk=found.pk)
    user = User.objects.select_for_update().get(pk=change.user_id)
    # A newer request voids this one, even if it escaped being cancelled.
    superseded = EmailChange.objects.filter(user=user, pk__gt=change.pk).exists()
    if not change.is_pending(now) or superseded or not user.is_active:
        raise ValidationError(_("This link has expired or has already been used."), code="used")
    taken = _("This address can no longer be used for your account. Nothing was changed.")
    if User.objects.filter(email__iexact=change.new_email).exclude(pk=user.pk).exists():
        raise ValidationError(taken, code="taken")
    old_email = user.email
    user.email = change.new_email
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError:
        # Someone took the address between the check and the save (an invitation accepted just now).
        raise ValidationError(taken, code="taken") from None
    change.old_email = old_email
    change.confirmed_at = now
    change.save(update_fields=["old_email", "confirmed_at"])
    _account_mail(
        event=f"accounts.email_changed:{change.pk}",
        to=old_email,
        template="accounts/email/email_changed",
        target=change,
        context={"old_email": old_email, "new_email": change.new_email, "changed_at": now},
        language=user.language,
        now=now,
    )
    return user


@transaction.atomic
def user_update_preferences(*, user: User, full_name: str, time_zone: str, language: str) -> User:
    user.full_name = full_name
    user.time_zone = time_zone
    user.language = language
    user.full_clean()
    user.save(update_fields=["full_name", "time_zone", "language"])
    return user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """The language the user reads the portal in; their emails and notifications speak it too."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the portal's languages.")})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


# --- Absences ----------------------------------------------------------------------------------------------------


def may_record_absence_of(by: User, user: User) -> bool:
    """Everyone records (and changes) their own absences; someone else's reroutes their work on every engagement
    (and the on-call rota), so only directors and admins do."""
    if not by.is_active or not (by.is_vendor_user or by.is_superuser):
        return False
    return by.pk == user.pk or by.leads_delivery


def absence_validate(absence: StaffAbsence) -> None:
    """In words, next to the field: an end before the start; and never two absences of one person at once. The
    services check it again under the person's lock; a form calls it to show the message before (the admin's)."""
    if absence.starts_on and absence.ends_on and absence.ends_on < absence.starts_on:
        raise ValidationError(
            {"ends_on": _("The absence cannot end before it starts: choose an end date on or after the first day.")}
        )
    overlapping = (
        StaffAbsence.objects.filter(user=absence.user, starts_on__lte=absence.ends_on, ends_on__gte=absence.starts_on)
        .exclude(pk=absence.pk)
        .order_by("starts_on")
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            _(
                "This overlaps %(name)s's absence from %(start)s to %(end)s. Change that absence instead, or "
                "choose other dates."
            )
            % {
                "name": absence.user.full_name,
                "start": date_format(overlapping.starts_on, "SHORT_DATE_FORMAT"),
                "end": date_format(overlapping.ends_on, "SHORT_DATE_FORMAT"),
            }
        )


@transaction.atomic
def staff_absence_record(
    *,
    by: User,
    user: User,
    starts_on,
    ends_on,
    reason: str = AbsenceReason.OTHER,
    note: str = "",
    now=None,
) -> StaffAbsence:
    """Record that a staff member is away (see ``may_record_absence_of``). Overlapping absences of one person are
    refused with a message; the deputies who stand in are told (``hooks.absence_changed``)."""
    now = now or timezone.now()
    if not may_record_absence_of(by, user):
        raise PermissionDenied
    if not user.is_vendor_user:
        raise ValidationError({"user": _("Absences are recorded for our own staff.")})
    # One person's absences are checked for overlaps one writer at a time.
    User.objects.select_for_update().filter(pk=user.pk).first()
    absence = StaffAbsence(
        user=user,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        note=(note or "").strip(),
        created_at=now,
    )
    absence_validate(absence)
    absence.full_clean()
    absence.save()
    hooks.absence_changed(absence=absence, now=now)
    return absence


ABSENCE_EDITABLE = ("starts_on", "ends_on", "reason", "note")


def absence_is_over(absence: StaffAbsence, *, today) -> bool:
    return absence.ends_on < today


@transaction.atomic
def staff_absence_update(*, by: User, absence: StaffAbsence, now=None, **fields) -> StaffAbsence:
    """Change an absence that is not over yet (dates, reason, note): the same rules as recording one."""
    now = now or timezone.now()
    if not may_record_absence_of(by, absence.user):
        raise PermissionDenied
    User.objects.select_for_update().filter(pk=absence.user_id).first()
    absence = StaffAbsence.objects.select_related("user").get(pk=absence.pk)
    if absence_is_over(absence, today=timezone.localdate(now)):
        raise ValidationError(_("This absence is over; it stays as it was recorded."))
    for field, value in fields.items():
        if field not in ABSENCE_EDITABLE:
            raise ValueError(field)
        setattr(absence, field, value.strip() if field == "note" else value)
    absence_validate(absence)
    absence.full_clean()
    absence.save()
    hooks.absence_changed(absence=absence, now=now)
    return absence


@transaction.atomic
def staff_absence_cancel(*, by: User, absence: StaffAbsence, now=None) -> StaffAbsence | None:
    """Cancel an absence: one still to come is removed; one under way ends yesterday (the person is back today),
    so what happened while they were away stays true. Returns the shortened absence, or None when removed."""
    now = now or timezone.now()
    if not may_record_absence_of(by, absence.user):
        raise PermissionDenied
    absence = StaffAbsence.objects.select_for_update().select_related("user").get(pk=absence.pk)
    today = timezone.localdate(now)
    if absence_is_over(absence, today=today):
        raise ValidationError(_("This absence is over; it stays as it was recorded."))
    if absence.starts_on < today:
        absence.ends_on = today - timedelta(days=1)
        absence.save(update_fields=["ends_on"])
        hooks.absence_changed(absence=absence, now=now)
        return absence
    hooks.absence_changed(absence=absence, deleted=True, now=now)
    absence.delete()
    return None
