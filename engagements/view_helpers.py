"""What the views of every app share around an engagement: fetching for the user (404 otherwise), running a small
form's service call, and going back to the engagement page. Not views themselves, so apps above may use them."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.forms import add_service_errors, error_text

from . import selectors
from .policy import object_for_user_or_404


def flash(request, call, success="", *, form=None, invalid="", refused=None) -> bool:
    """Run one service call behind a small POST form (no page of its own) and say how it went as a flash message:
    a ``ValidationError``'s messages as they are, else ``success`` (if any); nothing is changed when it fails.

    With ``form``: validate it first (``invalid`` is the message if it does not, or a function of the form to name
    its errors) and pass the call its cleaned data. A ``PermissionDenied`` is the 403 of any refusal unless
    ``refused`` says otherwise: a message to show instead, or an exception to raise (``Http404``: a refusal the page
    did not foresee is answered like an object the user may not touch)."""
    args = ()
    if form is not None:
        if not form.is_valid():
            messages.error(request, invalid(form) if callable(invalid) else invalid)
            return False
        args = (form.cleaned_data,)
    try:
        call(*args)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return False
    except PermissionDenied:
        if refused is None:
            raise
        if isinstance(refused, type) and issubclass(refused, Exception):
            raise refused from None
        messages.error(request, refused)
        return False
    if success:
        messages.success(request, success)
    return True


def form_submit(request, form, call, success="") -> tuple[bool, object]:
    """Validate a form that has a page of its own and run its service call with the cleaned data: ``(True, the
    call's result)``, ``success`` (if any) flashed; or ``(False, None)`` with the errors on the form (a service's
    ``ValidationError`` at its fields) for the page to show again."""
    if not form.is_valid():
        return False, None
    try:
        result = call(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return False, None
    if success:
        messages.success(request, success)
    return True, result


def engagement_or_404(request, pk, *, manage=False, work=False):
    """The engagement if the user may see it (with ``work``: work on it; ``manage``: manage it), else 404
    (``policy``)."""
    return object_for_user_or_404(
        selectors.engagement_with_people(), user=request.user, pk=pk, manage=manage, work=work
    )


def record_or_404(request, queryset, pk, *, manage=False, work=False):
    """An engagement's record (stage, milestone, ...) with its engagement, if the user may see (work on, manage)
    it."""
    return object_for_user_or_404(
        queryset.select_related("engagement"), user=request.user, pk=pk, manage=manage, work=work
    )


def back_to_engagement(engagement, anchor=""):
    return redirect(reverse("portfolio:engagement", args=[engagement.pk]) + anchor)


def form_again(request, form, title, *, engagement=None):
    """Show a form that failed again, with the person's input and the errors next to the fields (under the
    engagement's breadcrumb, when it belongs to one)."""
    return render(request, "engagements/form_page.html", form_page_context(form, title, engagement=engagement))


def form_page_context(form, title, *, engagement=None, parent=None) -> dict:
    """The context of ``engagements/form_page.html``: the form, its heading and the breadcrumb above it (the
    engagement's page, or ``parent`` as (label, url))."""
    if engagement is not None:
        parent = (engagement.name, reverse("portfolio:engagement", args=[engagement.pk]))
    return {"form": form, "title": title, "breadcrumb_parent": parent}
