"""Records that belong to one engagement: integrations, milestones and resource links."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .. import policy
from ..models import (
    CLIENT_FACING_LINK_KINDS,
    Engagement,
    Integration,
    Milestone,
    ResourceLink,
)
from .common import save


def _engagement_record_save(*, by: User, engagement: Engagement, record, model, fields: dict):
    """Create or update a record that belongs to one engagement: staff who see the engagement only,
    and never a record of another engagement passed in with this one."""
    policy.require_work(by, engagement)
    record = record or model(engagement=engagement)
    if record.engagement_id != engagement.pk:
        raise PermissionDenied
    for field, value in fields.items():
        setattr(record, field, value)
    return save(record)


def _engagement_record_delete(*, by: User, record) -> None:
    """Remove a record of an engagement: only those who manage the engagement."""
    policy.require_manage(by, record.engagement)
    type(record).objects.filter(pk=record.pk, engagement_id=record.engagement_id).delete()


@transaction.atomic
def integration_save(
    *, by: User, engagement: Engagement, integration: Integration | None = None, **fields
) -> Integration:
    return _engagement_record_save(by=by, engagement=engagement, record=integration, model=Integration, fields=fields)


@transaction.atomic
def milestone_save(*, by: User, engagement: Engagement, milestone: Milestone | None = None, **fields) -> Milestone:
    return _engagement_record_save(by=by, engagement=engagement, record=milestone, model=Milestone, fields=fields)


@transaction.atomic
def milestone_delete(*, by: User, milestone: Milestone) -> None:
    _engagement_record_delete(by=by, record=milestone)


@transaction.atomic
def integration_delete(*, by: User, integration: Integration) -> None:
    _engagement_record_delete(by=by, record=integration)


@transaction.atomic
def resource_link_save(*, by: User, engagement: Engagement, link: ResourceLink | None = None, **fields) -> ResourceLink:
    if link is None and "client_visible" not in fields:
        # A new link of a kind the client works with (board, documentation, environment) is theirs to see.
        fields["client_visible"] = fields.get("kind") in CLIENT_FACING_LINK_KINDS
    return _engagement_record_save(by=by, engagement=engagement, record=link, model=ResourceLink, fields=fields)


@transaction.atomic
def resource_link_set_client_visible(*, by: User, link: ResourceLink, client_visible: bool) -> ResourceLink:
    """Show a link on the client's portal or keep it to the team: what the client sees is the managers' call, as
    removing a link is."""
    policy.require_manage(by, link.engagement)
    if link.client_visible != client_visible:
        link.client_visible = client_visible
        link.save(update_fields=["client_visible"])
    return link


@transaction.atomic
def resource_link_delete(*, by: User, link: ResourceLink) -> None:
    _engagement_record_delete(by=by, record=link)


@transaction.atomic
def milestone_mark_reached(*, by: User, milestone: Milestone, now=None) -> Milestone:
    """Mark a milestone reached today; a reached early win shows in the client's portal."""
    policy.require_work(by, milestone.engagement)
    if milestone.reached_on is None:
        milestone.reached_on = timezone.localdate(now or timezone.now())
        save(milestone)
    return milestone
