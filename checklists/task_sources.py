"""Client tasks from other apps on the portal's task list (escalations' client-side action-plan steps, say), and
every other request to the client that waits on them (a red flag's question, a resolution to confirm, minutes and
documents to acknowledge): ``checklists.selectors.waiting_on_you`` lists them with the checklist's own tasks and
decisions, for the portal home and *My tasks* alike.

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
    engagement_id: int | None = None  # the project it belongs to (the home counts each project's requests)
    detail: str = ""  # what exactly is asked (a red flag's question), shown under the title


_sources: list[Callable] = []


def register(source: Callable) -> Callable:
    if source not in _sources:
        _sources.append(source)
    return source


def tasks_for(*, user, today: date) -> list[ClientTask]:
    tasks = [task for source in _sources for task in source(user=user, today=today)]
    return sorted(tasks, key=lambda t: (t.done, t.due_on or date.max, t.title))
