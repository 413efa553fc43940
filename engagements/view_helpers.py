"""What the views of every app share around an engagement: fetching for the user (404 otherwise), running a small
form's service call, and going back to the engagement page. Not views themselves, so apps above may use them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from . import selectors
from .policy import object_for_user_or_404


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def submit(request, form, call, *, success, invalid) -> bool:
    """A small POST form without a page of its own: call the service with the form's data and say how it went as a
    flash message. ``invalid`` is the message for a form that does not validate (or a function of the form, to
    name its errors); a service's ``ValidationError`` is shown as it is, and nothing is changed either way."""
    if not form.is_valid():
        messages.error(request, invalid(form) if callable(invalid) else invalid)
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return False
    messages.success(request, success)
    return True


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
