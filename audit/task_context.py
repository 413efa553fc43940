"""Celery: every task runs inside ``pghistory.context(task=..., task_id=...)``, entered by ``task_prerun`` and left
by ``task_postrun`` (both fire in the worker's process, in the task's thread, eager runs included)."""

import threading

from celery import signals

from .context import task_context
from .switch import trail_on

_open = threading.local()


def _enter(sender=None, task_id=None, task=None, **kwargs):
    if not trail_on():
        return
    manager = task_context(name=getattr(task or sender, "name", str(sender)), task_id=task_id)
    manager.__enter__()
    stack = getattr(_open, "stack", None)
    if stack is None:
        stack = _open.stack = []
    stack.append(manager)


def _leave(sender=None, task_id=None, **kwargs):
    stack = getattr(_open, "stack", None)
    if stack:
        stack.pop().__exit__(None, None, None)


def connect() -> None:
    signals.task_prerun.connect(_enter, weak=False, dispatch_uid="audit.task_context.enter")
    signals.task_postrun.connect(_leave, weak=False, dispatch_uid="audit.task_context.leave")
