"""Writes for checklists, by subject: ``templates``, ``items``, ``acceptance`` (the client's decisions, the go-live
gate, satisfaction) and ``actuals``. Each runs in one transaction, checks access again through
``engagements.policy``, validates with ``full_clean`` and raises ``ValidationError`` / ``PermissionDenied``.
Re-exported here, so callers write ``services.item_update(...)``."""

from .acceptance import (
    REWORK_DAYS,
    acceptance_decide,
    go_live_missing,
    satisfaction_answer,
    satisfaction_ask_day30,
)
from .actuals import stage_actual_add, stage_actual_delete
from .items import (
    ITEM_EDITABLE,
    item_comment_add,
    item_complete,
    item_create,
    item_delete,
    item_move,
    item_reopen,
    item_reopen_allowed,
    item_update,
)
from .plan import (
    PLAN_CATEGORY,
    dependency_add,
    dependency_remove,
    item_unpin,
    plan_of,
    plan_reschedule,
    plan_reschedule_late,
)
from .templates import (
    due_dates_reanchor,
    plan_follow_anchors,
    template_apply,
    template_default_ensure,
    template_duplicate,
)

__all__ = [
    "PLAN_CATEGORY",
    "dependency_add",
    "dependency_remove",
    "item_unpin",
    "plan_follow_anchors",
    "plan_of",
    "plan_reschedule",
    "plan_reschedule_late",
    "ITEM_EDITABLE",
    "REWORK_DAYS",
    "acceptance_decide",
    "due_dates_reanchor",
    "go_live_missing",
    "item_comment_add",
    "item_complete",
    "item_create",
    "item_delete",
    "item_move",
    "item_reopen",
    "item_reopen_allowed",
    "item_update",
    "satisfaction_answer",
    "satisfaction_ask_day30",
    "stage_actual_add",
    "stage_actual_delete",
    "template_apply",
    "template_default_ensure",
    "template_duplicate",
]
