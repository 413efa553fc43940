"""Writes for clients, engagements and their teams, phases, handoff, promises, stakeholders and records, by
subject: ``clients``, ``engagements``, ``phases`` (with the sales handoff), ``promises``, ``stakeholders``,
``team`` and ``records``. Each runs in one transaction, checks access again through ``policy`` (views are not
trusted to), validates with ``full_clean`` and raises ``ValidationError`` / ``PermissionDenied``. Re-exported here,
so callers write ``services.engagement_create(...)``.

Apps above react to what happens here through ``hooks`` (phase gates, moved anchor dates), never by being imported.
"""

from .clients import CLIENT_PROFILE_EDITABLE, billing_record_add, client_create, client_profile_update
from .engagements import ENGAGEMENT_EDITABLE, engagement_create, engagement_lock, engagement_update
from .phases import ALLOWED_TRANSITIONS, engagement_change_phase, handoff_gate, handoff_record, transitions_from
from .promises import (
    PROMISE_EDITABLE,
    promise_add,
    promise_close,
    promise_record,
    promise_reopen,
    promise_update,
)
from .records import (
    integration_delete,
    integration_save,
    milestone_delete,
    milestone_mark_reached,
    milestone_save,
    resource_link_delete,
    resource_link_save,
    resource_link_set_client_visible,
)
from .stakeholders import engagement_warnings, stakeholder_delete, stakeholder_save, stakeholders_link_on_acceptance
from .team import engagement_acting_pm, engagement_people, member_add, user_is_absent

__all__ = [
    "ALLOWED_TRANSITIONS",
    "CLIENT_PROFILE_EDITABLE",
    "PROMISE_EDITABLE",
    "ENGAGEMENT_EDITABLE",
    "billing_record_add",
    "client_create",
    "client_profile_update",
    "promise_add",
    "promise_close",
    "promise_reopen",
    "promise_update",
    "engagement_acting_pm",
    "engagement_change_phase",
    "engagement_create",
    "engagement_lock",
    "engagement_people",
    "engagement_update",
    "engagement_warnings",
    "handoff_gate",
    "handoff_record",
    "integration_delete",
    "integration_save",
    "member_add",
    "milestone_delete",
    "milestone_mark_reached",
    "milestone_save",
    "promise_record",
    "resource_link_delete",
    "resource_link_save",
    "resource_link_set_client_visible",
    "stakeholder_delete",
    "stakeholder_save",
    "stakeholders_link_on_acceptance",
    "transitions_from",
    "user_is_absent",
]
