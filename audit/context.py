"""Who made a change: the request's user and client address, or the Celery task and its id.

pghistory's triggers store the context of each statement's change (``pghistory.context``, sent as a session
variable in front of each write). The address is the client's own as the lockout sees it: accounts registers its
``client_ip`` here in its ``ready()`` (this app sits below accounts and knows no app of the project)."""

from collections.abc import Callable

import pghistory
import pghistory.middleware

from .switch import trail_on

_client_address: list[Callable] = []


def register_client_address(func: Callable) -> None:
    """``func(request) -> str | None``: the client's address behind our own proxies."""
    if func not in _client_address:
        _client_address.append(func)


def client_address(request) -> str | None:
    for func in _client_address:
        return func(request)
    return request.META.get("REMOTE_ADDR")


class AuditContextMiddleware(pghistory.middleware.HistoryMiddleware):
    """Each request's writes carry its user (also one set later, as the REST API's token authentication does),
    its client address, method and path. Off (a plain pass-through) while the trail is."""

    def get_context(self, request):
        context = super().get_context(request)
        context["address"] = client_address(request)
        context["method"] = request.method
        return context

    def __call__(self, request):
        if not trail_on():
            return self.get_response(request)
        return super().__call__(request)


def task_context(*, name: str, task_id: str | None):
    """The context of a task's writes (entered by ``task_context.connect``'s prerun hook)."""
    return pghistory.context(task=name, task_id=task_id)
