"""Step-up before a decision: the one decorator every deciding view uses (accepting or rejecting a stage or the
work plan, acknowledging minutes or a document, confirming or reopening a red flag, creating an API token).

A person with a second factor whose last code in this session is older than ``MFA_STEP_UP_MINUTES`` is asked for
a code first. The code page carries the decision's own fields (hidden) and posts them back to the same address
with the code, so nothing typed is lost; the view runs once the code is right. Wrong codes count towards the
lockout. A person without a second factor decides as before (the policy makes those who must have one enrol at
login).
"""

from functools import wraps

from django.shortcuts import render
from django.utils.translation import gettext as _

from .mfa import services
from .mfa.forms import CodeForm
from .mfa.policy import has_second_factor

PREFIX = "step_up"
# The decision's fields the code page must not repeat: the CSRF token (the page renders its own) and the code.
_NOT_CARRIED = {"csrfmiddlewaretoken", f"{PREFIX}-code"}


def needs_step_up(request) -> bool:
    user = request.user
    return has_second_factor(user) and not services.second_factor_is_recent(request, user)


def step_up_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST" or not needs_step_up(request):
            return view(request, *args, **kwargs)
        form = CodeForm(request.POST if f"{PREFIX}-code" in request.POST else None, prefix=PREFIX)
        status = 200
        if form.is_bound and form.is_valid():
            if services.is_locked_out(request, request.user):
                request.axes_locked_out = True  # django-axes' middleware answers with the lockout page
                return render(request, "accounts/locked_out.html", status=429)
            authenticator = services.verify_code(request, user=request.user, code=form.cleaned_data["code"])
            if authenticator is not None:
                services.record_second_factor(request, authenticator, step_up=True)
                return view(request, *args, **kwargs)
            form.add_error("code", _("That code is wrong or was already used. Enter the code the app shows now."))
        if form.is_bound:
            status = 400
        carried = [
            (name, value) for name, values in request.POST.lists() if name not in _NOT_CARRIED for value in values
        ]
        return render(
            request,
            "accounts/mfa_step_up.html",
            {"form": form, "carried": carried, "action": request.get_full_path()},
            status=status,
        )

    wrapper.asks_step_up = True  # copied onto the decorators around it; tests/test_step_up_views.py reads it
    return wrapper
