"""A won deal from a CRM opens the engagement: the client matched (CRM account id, then name) or opened, the
engagement in handoff with the deal's owner as account executive, its amount as planned budget, its promised
items as sales promises, and a CSM chosen by the rule an admin sets (*Admin → CRM settings*: a fixed CSM or round
robin, the CSM with the fewest active engagements), else by ``settings.CRM_CSM`` (an email: that person;
``round-robin``). The CSM is told (category ``crm``). The same deal sent again with other figures before kickoff
updates the handoff and records what changed (``CrmDealChange``), telling the CSM; the deal id keeps it one
engagement. Every write goes through the engagements services, in one transaction."""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, OrganizationKind, Role, User
from engagements.models import Engagement, Phase, PromiseSource
from engagements.services.clients import client_create
from engagements.services.engagements import engagement_create, engagement_update
from engagements.services.promises import promise_add, promise_update
from notifications.services import notify

from .models import CrmAccount, CrmDeal, CrmDealChange, CrmReceipt, CrmSettings, CsmRule

CRM_CATEGORY = "crm"
DEAL_WON_TEMPLATE = "api/email/deal_won"

RETENTION = timedelta(days=30)
# Keys whose values never reach the receipt (personal or secret); matched case-insensitively anywhere in it.
REDACTED_KEYS = {"owner_email", "email", "phone", "token", "secret", "signature", "password", "contact"}


class DealRefused(Exception):
    """The deal changed after kickoff: the engagement is already the team's."""


def _storable(text: str) -> str:
    # PostgreSQL's JSON takes neither NUL nor a lone surrogate (a payload may carry both): such characters are
    # replaced, so a bad payload is still kept for support rather than failing the answer.
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


def redact(value):
    if isinstance(value, dict):
        return {
            _storable(str(k)): ("[redacted]" if str(k).lower() in REDACTED_KEYS else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return _storable(value)
    return value


def receipt_keep(*, source: str, payload, status: int, deal_id: str = "", outcome: str = "", now=None):
    return CrmReceipt.objects.create(
        source=source,
        deal_id=str(deal_id)[:100],
        status=status,
        payload=redact(payload),
        outcome=outcome,
        received_at=now or timezone.now(),
    )


def receipts_purge(*, now=None) -> int:
    """Drop the payloads older than the 30 days support keeps them."""
    deleted, _rows = CrmReceipt.objects.filter(received_at__lt=(now or timezone.now()) - RETENTION).delete()
    return deleted


def _digest(deal: dict) -> str:
    return hashlib.sha256(json.dumps(deal, sort_keys=True, default=str).encode()).hexdigest()


def csm_for_deal() -> User:
    """The CSM the rule names: a fixed person or the active CSM with the fewest active engagements. The admin's
    ``CrmSettings`` row decides; without it (or set to "as the setting says") ``settings.CRM_CSM`` does."""
    csms = User.objects.filter(is_active=True, role=Role.CSM, organization__kind=OrganizationKind.VENDOR)
    chosen = CrmSettings.current()
    if chosen is not None and chosen.csm_rule == CsmRule.FIXED:
        person = csms.filter(pk=chosen.csm_id).first()
        if person is None:
            raise ValidationError({"csm": _("The CSM named for CRM deals is not an active CSM.")})
        return person
    if chosen is not None and chosen.csm_rule == CsmRule.ROUND_ROBIN:
        rule = "round-robin"
    else:
        rule = (getattr(settings, "CRM_CSM", "") or "round-robin").strip()
    if rule != "round-robin":
        person = csms.filter(email__iexact=rule).first()
        if person is None:
            raise ValidationError({"csm": _("The CSM named for CRM deals is not an active CSM.")})
        return person
    active = Count("engagements_as_csm", filter=~Q(engagements_as_csm__phase=Phase.CLOSED))
    person = csms.annotate(load=active).order_by("load", "pk").first()
    if person is None:
        raise ValidationError({"csm": _("There is no active CSM to take the deal.")})
    return person


def _client_for(*, by: User, source: str, account: dict) -> Organization:
    link = CrmAccount.objects.select_related("organization").filter(source=source, account_id=account["id"]).first()
    if link is not None:
        return link.organization
    client = Organization.objects.filter(kind=OrganizationKind.CLIENT, name__iexact=account["name"].strip()).first()
    if client is None:
        client = client_create(by=by, name=account["name"]).organization
    CrmAccount.objects.create(source=source, account_id=account["id"], organization=client)
    return client


def _owner(email: str) -> User:
    owner = User.objects.filter(email__iexact=email, is_active=True, organization__kind=OrganizationKind.VENDOR)
    person = owner.first()
    if person is None:
        raise ValidationError({"owner_email": _("No one of our staff has this email address.")})
    return person


def _promises_add(*, by, engagement, promises, owner, now, known=None):
    """Add the deal's promised items; one already on the engagement (same description) gets the deal's due time."""
    known = known or {}
    for promise in promises:
        seen = known.get(promise["description"].strip())
        if seen is not None:
            if seen.due_at != promise["due_at"]:
                promise_update(by=by, promise=seen, due_at=promise["due_at"])
            continue
        promise_add(
            by=by,
            engagement=engagement,
            description=promise["description"],
            owner=owner,
            due_at=promise["due_at"],
            source=PromiseSource.SALES,
            now=now,
        )


def _snapshot(engagement: Engagement) -> dict:
    promises = {p.description.strip(): p.due_at.isoformat() for p in engagement.promises.all()}
    return {
        "name": engagement.name,
        "account_executive": engagement.account_executive.email if engagement.account_executive_id else "",
        "planned_amount": str(engagement.planned_amount) if engagement.planned_amount is not None else "",
        "currency": engagement.currency,
        "contract_signed_on": engagement.contract_signed_on.isoformat() if engagement.contract_signed_on else "",
        "promises": promises,
    }


def _changes(before: dict, after: dict) -> dict:
    """Field: [before, after] of what the CRM changed (promises by description, as their due times)."""
    changed = {k: [before[k], after[k]] for k in before if k != "promises" and before[k] != after[k]}
    for description, due in after["promises"].items():
        if before["promises"].get(description) != due:
            changed[f"promise: {description}"] = [before["promises"].get(description, ""), due]
    return changed


def _tell_csm(*, engagement: Engagement, source: str, deal_id: str, outcome: str, changes: dict, now) -> None:
    if engagement.csm_id is None or not engagement.csm.is_active:
        return
    notify(
        event=f"api.deal_{outcome}:{source}:{deal_id}:{now.isoformat()}",
        recipients=[engagement.csm],
        category=CRM_CATEGORY,
        template=DEAL_WON_TEMPLATE,
        context={
            "engagement": engagement.name,
            "client": engagement.client.name,
            "amount": str(engagement.planned_amount or ""),
            "currency": engagement.currency,
            "changed": outcome == "updated",
            "changes": [f"{field}: {old or '-'} \u2192 {new or '-'}" for field, (old, new) in changes.items()],
        },
        url=reverse("portfolio:engagement", args=[engagement.pk]),
        now=now,
    )


@transaction.atomic
def deal_won(*, by: User, source: str, deal: dict, now=None) -> tuple[Engagement, str]:
    """Open (or update, before kickoff) the engagement of ``deal`` (validated by ``DealSerializer``); answers the
    engagement and what happened: ``created``, ``unchanged`` or ``updated``."""
    now = now or timezone.now()
    digest = _digest(deal)
    seen = CrmDeal.objects.select_for_update().filter(source=source, deal_id=deal["deal_id"]).first()
    owner = _owner(deal["owner_email"])
    fields = {"account_executive": owner, "planned_amount": deal["amount"], "currency": deal["currency"]}
    if deal.get("closed_on") is not None:
        fields["contract_signed_on"] = deal["closed_on"]
    if seen is not None:
        engagement = seen.engagement
        if seen.digest == digest:
            return engagement, "unchanged"
        if engagement.phase != Phase.HANDOFF:
            raise DealRefused
        before = _snapshot(engagement)
        engagement = engagement_update(by=by, engagement=engagement, name=deal["name"], **fields)
        known = {p.description.strip(): p for p in engagement.promises.all()}
        _promises_add(
            by=by, engagement=engagement, promises=deal["promises"], owner=engagement.csm, now=now, known=known
        )
        engagement.refresh_from_db()
        changes = _changes(before, _snapshot(engagement))
        seen.digest, seen.received_at = digest, now
        seen.save(update_fields=["digest", "received_at"])
        if changes:
            CrmDealChange.objects.create(deal=seen, changes=changes, received_at=now)
            _tell_csm(
                engagement=engagement,
                source=source,
                deal_id=deal["deal_id"],
                outcome="updated",
                changes=changes,
                now=now,
            )
        return engagement, "updated"
    client = _client_for(by=by, source=source, account=deal["account"])
    csm = csm_for_deal()
    engagement = engagement_create(by=by, client=client, name=deal["name"], csm=csm, now=now, **fields)
    _promises_add(by=by, engagement=engagement, promises=deal["promises"], owner=csm, now=now)
    CrmDeal.objects.create(
        source=source, deal_id=deal["deal_id"], engagement=engagement, digest=digest, received_at=now
    )
    _tell_csm(engagement=engagement, source=source, deal_id=deal["deal_id"], outcome="created", changes={}, now=now)
    return engagement, "created"
