"""Escalations' pages: the staff workspace (``staff``) and the client portal (``portal``)."""

from django.http import Http404

from engagements.policy import object_for_user_or_404

from .. import permissions, selectors


def flag_or_404(request, pk, *, work=False):
    """The flag with what its page shows, if the user may see it (``policy.object_for_user_or_404``) and, with
    ``work``, handle it (``permissions.may_handle_flag``, which the services ask too); else 404."""
    flag = object_for_user_or_404(selectors.flag_queryset_for_page(user=request.user), user=request.user, pk=pk)
    if work and not permissions.may_handle_flag(request.user, flag):
        raise Http404
    return flag


def form_errors(form) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)
