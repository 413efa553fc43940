"""The stakeholder map, and the key user who decides for the client: every change of key user is told."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from notifications.models import Category
from notifications.services import NotifyRequest, notify_many

from .. import policy
from ..models import (
    Engagement,
    Stakeholder,
)
from .common import save


def _key_user_state(stakeholder: Stakeholder | None) -> tuple:
    """What a stakeholder row says about who decides for the client: (is key user, linked account)."""
    if stakeholder is None or not stakeholder.is_key_user:
        return (False, None)
    return (True, stakeholder.user_id)


@transaction.atomic
def stakeholder_save(
    *, by: User, engagement: Engagement, stakeholder: Stakeholder | None = None, now=None, **fields
) -> Stakeholder:
    """Add or edit a person on the stakeholder map (the team may); naming, re-linking or unnaming the key
    user, who accepts for the client, is for those who manage the engagement, and is told to the client's key
    users and the CSM. The key user's row and rows linked to a portal account are changed only by those who manage
    the engagement (``policy.may_change_stakeholder``): the address on them is where invitations go."""
    now = now or timezone.now()
    policy.require_work(by, engagement)
    stakeholder = stakeholder or Stakeholder(engagement=engagement)
    if stakeholder.engagement_id != engagement.pk:
        raise PermissionDenied
    before = Stakeholder.objects.select_for_update().filter(pk=stakeholder.pk).first() if stakeholder.pk else None
    if before is not None and not policy.may_change_stakeholder(by, before):
        # The row as stored decides, not the instance passed in (which may already carry the new values).
        raise PermissionDenied
    for field, value in fields.items():
        setattr(stakeholder, field, value)
    key_user_changed = _key_user_state(before) != _key_user_state(stakeholder)
    if (key_user_changed or stakeholder.user_id) and not policy.may_manage(by, engagement):
        # Linking a row to a portal account makes it one of the managers' rows, so linking is theirs too.
        raise PermissionDenied
    if stakeholder.user_id and stakeholder.user.organization_id != engagement.client_id:
        raise ValidationError({"user": _("Choose a portal account of this client.")})
    if stakeholder.is_key_user and stakeholder.user_id and not stakeholder.user.is_key_user:
        # The linked account is the one that accepts stages in the portal, which needs the key-user role.
        raise ValidationError(
            {"user": _("The key user's portal account must have the key-user role; invite them as key user.")}
        )
    try:
        with transaction.atomic():
            save(stakeholder)
    except IntegrityError as error:
        # Two people saved as key user at once: the partial unique constraint decides.
        raise ValidationError({"is_key_user": _("This engagement already has a key user.")}) from error
    if key_user_changed:
        _key_user_change_notify(by=by, engagement=engagement, now=now)
    return stakeholder


@transaction.atomic
def stakeholder_delete(*, by: User, stakeholder: Stakeholder, now=None) -> None:
    """Remove a person from the map; removing the key user is a change of key user (managers only, told), and a
    row linked to a portal account is the managers' too (``policy.may_change_stakeholder``)."""
    policy.require_work(by, stakeholder.engagement)
    stored = (
        Stakeholder.objects.select_for_update(of=("self",))
        .filter(pk=stakeholder.pk)
        .select_related("engagement")
        .first()
    )
    if stored is None:
        return
    if not policy.may_change_stakeholder(by, stored):
        raise PermissionDenied
    stakeholder = stored
    was_key_user = stakeholder.is_key_user
    Stakeholder.objects.filter(pk=stakeholder.pk, engagement_id=stakeholder.engagement_id).delete()
    if was_key_user:
        _key_user_change_notify(by=by, engagement=stakeholder.engagement, now=now or timezone.now())


def _key_user_change_notify(*, by: User, engagement: Engagement, now) -> None:
    """Tell the client's key users and the CSM who now decides for the client, so a forged change of the
    key user cannot go unnoticed."""
    key_user = policy.key_user_of(engagement)
    linked = Stakeholder.objects.filter(engagement=engagement, is_key_user=True, user__isnull=False).exists()
    client_key_users = list(
        User.objects.filter(organization_id=engagement.client_id, role=Role.CLIENT_KEY_USER, is_active=True)
    )
    context = {
        "engagement_name": engagement.name,
        "client_name": engagement.client.name,
        "key_user": str(key_user) if key_user and linked else "",
        "changed_by": str(by),
        "changed_at": now,
    }
    # One event, two audiences with their own link; the dedupe key is per recipient.
    event = f"engagements.key_user_changed:{engagement.pk}:{now.isoformat()}"
    notify_many(
        [
            NotifyRequest(
                event=event,
                recipients=client_key_users,
                category=Category.ACCOUNT,
                template="engagements/email/key_user_changed",
                context=context,
                url=reverse("portal:engagement", args=[engagement.pk]),
            ),
            NotifyRequest(
                event=event,
                recipients=[engagement.csm] if engagement.csm.is_active else [],
                category=Category.ACCOUNT,
                template="engagements/email/key_user_changed",
                context=context,
                url=reverse("engagements:stakeholders", args=[engagement.pk]),
            ),
        ],
        now=now,
    )


def stakeholders_link_on_acceptance(*, invitation, user, now) -> int:
    """A client person accepted an invitation: their rows on the client's stakeholder maps (same address, not linked
    yet) are linked to the new account. Linking the key user's row changes who decides for the client, which is
    told as every such change is. An ``accounts.hooks.on_invitation_accepted`` reaction; returns how many rows."""
    rows = list(
        Stakeholder.objects.filter(
            engagement__client_id=invitation.organization_id, user__isnull=True, email__iexact=invitation.email
        ).select_related("engagement__client", "engagement__csm")
    )
    linked = 0
    for stakeholder in rows:
        if stakeholder.is_key_user and not user.is_key_user:
            # The key user's account must have the key-user role; the team links another one by hand.
            continue
        stakeholder.user = user
        stakeholder.save(update_fields=["user"])
        linked += 1
        if stakeholder.is_key_user:
            _key_user_change_notify(by=user, engagement=stakeholder.engagement, now=now)
    return linked


def engagement_warnings(engagement: Engagement, stakeholders) -> list[str]:
    """What the engagement page warns about while it lasts (stakeholders already fetched, with their accounts)."""
    warnings = []
    key_user = next((s for s in stakeholders if s.is_key_user), None)
    if key_user is None:
        warnings.append(_("No key user: the client cannot accept stages or the work plan."))
    elif key_user.user is None or not key_user.user.is_active:
        warnings.append(
            _(
                "The key user %(name)s has no active portal account yet, so the client cannot accept stages or the "
                "work plan: invite them from the stakeholder map."
            )
            % {"name": key_user.name}
        )
    if not any(s.is_executive_sponsor for s in stakeholders):
        warnings.append(_("No executive sponsor on the client side."))
    return warnings
