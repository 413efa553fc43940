"""Escalations' writes, by subject: a flag's life (``flags``), its action plan (``plans``), the sweep that acts on
due timers (``sweep``), duplicates, calendars and rotas. Each is one transaction with keyword-only arguments."""

from .calendars import calendar_holidays_keep_ahead, calendar_seed_holidays
from .duplicates import duplicate_consequence, flag_mark_duplicate, flag_unmark_duplicate
from .flags import (
    flag_acknowledge,
    flag_client_reply,
    flag_confirm,
    flag_escalate,
    flag_pause,
    flag_post_update,
    flag_raise,
    flag_reopen,
    flag_resolve,
    flag_resume,
)
from .plans import plan_agree, step_add, step_update
from .rota import on_duty_at, rota_add_shifts, rota_sync_absences
from .sweep import escalation_sweep, escalation_sweep_batch

__all__ = [
    "calendar_holidays_keep_ahead",
    "calendar_seed_holidays",
    "duplicate_consequence",
    "escalation_sweep",
    "escalation_sweep_batch",
    "flag_acknowledge",
    "flag_client_reply",
    "flag_confirm",
    "flag_escalate",
    "flag_mark_duplicate",
    "flag_pause",
    "flag_post_update",
    "flag_raise",
    "flag_reopen",
    "flag_resolve",
    "flag_resume",
    "on_duty_at",
    "plan_agree",
    "rota_add_shifts",
    "rota_sync_absences",
    "step_add",
    "step_update",
    "flag_unmark_duplicate",
]
