"""What checklists tell other systems through webhooks: the payload ``data`` of its events."""

from engagements.webhook_events import engagement_data


def acceptance_data(acceptance, engagement) -> dict:
    stage = acceptance.stage
    return {
        **engagement_data(engagement),
        "stage": {"id": stage.pk, "title": stage.title} if stage is not None else None,
        "decision": acceptance.decision,
        "reason": acceptance.reason,
        "decided_at": acceptance.decided_at,
        "decided_by": {"id": acceptance.decided_by_id, "name": str(acceptance.decided_by)},
    }


def item_data(item, engagement) -> dict:
    return {
        **engagement_data(engagement),
        "stage": {"id": item.stage_id, "title": item.stage.title},
        "item": {
            "id": item.pk,
            "title": item.title,
            "owner_side": item.owner_side,
            "due_on": item.due_on,
            "completed_at": item.completed_at,
        },
    }


def acceptance_event_type(acceptance) -> str:
    """``stage.accepted``, ``stage.rejected``, ``work_plan.accepted`` or ``work_plan.rejected``."""
    subject = "stage" if acceptance.stage_id else "work_plan"
    return f"{subject}.{acceptance.decision}"
