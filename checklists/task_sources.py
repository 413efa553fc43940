"""Client tasks from other apps on the portal's task list (escalations' client-side action-plan steps, say).

An app registers ``fn(*, user, today) -> list[ClientTask]`` in its ``AppConfig.ready()`` with ``register``; the task
list shows them next to the client's checklist items. A source runs a constant number of queries (however many
tasks it returns), and returns only what ``user`` may see. Checklists imports no app above it: they come to it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ClientTask:
    title: str
    project: str
    url: str
    source: str  # what it comes from, shown with it ("Action plan: …")
    due_on: date | None = None
    owner: str = ""
    done: bool = False
    overdue: bool = False


_sources: list[Callable] = []


def register(source: Callable) -> Callable:
    if source not in _sources:
        _sources.append(source)
    return source


def tasks_for(*, user, today: date) -> list[ClientTask]:
    tasks = [task for source in _sources for task in source(user=user, today=today)]
    return sorted(tasks, key=lambda t: (t.done, t.due_on or date.max, t.title))
