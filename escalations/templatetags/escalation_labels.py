"""Labels for the codes stored in notification contexts (a notification is rendered later, in its recipient's
language, so it stores codes, not words)."""

from django import template
from django.utils.translation import gettext as _

from ..models import EscalationReason, Severity, StepStatus

register = template.Library()


@register.filter
def severity_label(code):
    return Severity(code).label if code in Severity.values else code


@register.filter
def reason_label(code):
    return EscalationReason(code).label if code in EscalationReason.values else code


@register.filter
def deadline_label(code):
    """The verb of a deadline: "acknowledge", "resolve" or "update the client on"."""
    return {"acknowledge": _("acknowledge"), "resolve": _("resolve"), "update": _("update the client on")}.get(
        code, code
    )


@register.filter
def step_status_label(code):
    return StepStatus(code).label if code in StepStatus.values else code


@register.filter
def business_duration(value):
    """A duration as hours and minutes ("4 h", "1 h 30 min", "40 h"): business time, so never in days."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    if hours:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(minutes)s min") % {"minutes": minutes}


SEVERITY_BADGES = {"critical": "danger", "high": "warning", "normal": "secondary"}
STATUS_BADGES = {
    "open": "danger",
    "reopened": "danger",
    "acknowledged": "primary",
    "plan_agreed": "primary",
    "waiting": "info",
    "resolved": "success",
    "closed": "secondary",
    "duplicate": "light",
}


@register.filter
def severity_badge(code):
    return SEVERITY_BADGES.get(code, "secondary")


@register.filter
def status_badge(code):
    return STATUS_BADGES.get(code, "secondary")


@register.filter
def get_deadline(deadlines, severity):
    """The (acknowledge, resolve) pair of a severity from a level's deadlines."""
    return deadlines.get(severity, (None, None))
