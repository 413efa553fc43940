"""Escalations' pages: the staff workspace (``staff``) and the client portal (``portal``)."""

from django.http import Http404

from accounts.forms import form_error_text
from engagements.policy import object_for_user_or_404
from engagements.view_helpers import flash

from .. import forms, permissions, selectors, services


def flag_or_404(request, pk, *, work=False):
    """The flag with what its page shows, if the user may see it (``policy.object_for_user_or_404``) and, with
    ``work``, handle it (``permissions.may_handle_flag``, which the services ask too); else 404."""
    flag = object_for_user_or_404(selectors.flag_queryset_for_page(user=request.user), user=request.user, pk=pk)
    if work and not permissions.may_handle_flag(request.user, flag):
        raise Http404
    return flag


def step_status_change(request, step, success) -> None:
    """An action step's new status from its small form (the team's and the client's alike), said as a flash
    message; a refusal the page did not foresee is a 404."""
    flash(
        request,
        lambda data: services.step_update(step=step, by=request.user, status=data["status"], note=data["note"]),
        success,
        form=forms.StepStatusForm(request.POST),
        invalid=form_error_text,
        refused=Http404,
    )
