"""Escalations' pages: the staff workspace (``staff``) and the client portal (``portal``)."""


def flag_or_404(request, pk, *, work=False):
    """The flag with what its page shows, if the user may see it (with ``work``: work on its engagement); else 404
    (``policy.object_for_user_or_404``)."""
    from engagements.policy import object_for_user_or_404

    from .. import selectors

    return object_for_user_or_404(
        selectors.flag_queryset_for_page(user=request.user), user=request.user, pk=pk, work=work
    )


def form_errors(form) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)
