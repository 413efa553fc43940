"""The catalogue of event types a webhook endpoint may subscribe to (dotted names, as the Standard Webhooks spec
recommends). An emit of a type not listed here is a programming error and fails the caller's transaction."""

from django.utils.translation import gettext_lazy as _

CATALOGUE = {
    "engagement.created": _("An engagement was opened"),
    "engagement.phase_changed": _("An engagement moved to another phase"),
    "stage.accepted": _("The client accepted a stage"),
    "stage.rejected": _("The client rejected a stage"),
    "work_plan.accepted": _("The client accepted the work plan"),
    "work_plan.rejected": _("The client rejected the work plan"),
    "item.completed": _("A checklist item was completed"),
    "item.overdue": _("A checklist item became overdue"),
    "promise.broken": _("A promise was broken"),
    "meeting.minutes_shared": _("Meeting minutes were shared with the client"),
    "red_flag.raised": _("A red flag was raised"),
    "red_flag.escalated": _("A red flag was escalated"),
    "red_flag.acknowledged": _("A red flag was acknowledged"),
    "red_flag.breach_warning": _("A red flag is about to miss its target"),
    "red_flag.resolved": _("A red flag was resolved"),
    "sla.target_missed": _("An SLA target was missed"),
}


def choices() -> list[tuple[str, str]]:
    return [(name, f"{name} — {label}") for name, label in CATALOGUE.items()]


def check(event_type: str) -> None:
    if event_type not in CATALOGUE:
        raise ValueError(f"Unknown webhook event type {event_type!r}; add it to webhooks.events.CATALOGUE.")
