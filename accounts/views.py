from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onboarding_portal.forms import add_service_errors

from . import services
from .access import staff_required
from .forms import EmailChangeForm, InvitationAcceptForm, InvitationForm, PreferencesForm
from .models import Invitation


@require_http_methods(["GET", "POST"])
def profile(request):
    preferences = PreferencesForm(instance=request.user, prefix="prefs")
    email_form = EmailChangeForm(prefix="email")
    if request.method == "POST" and "prefs-full_name" in request.POST:
        preferences = PreferencesForm(request.POST, instance=request.user, prefix="prefs")
        if preferences.is_valid():
            services.user_update_preferences(user=request.user, **preferences.cleaned_data)
            # Confirm in the language just chosen: the next page will speak it.
            translation.activate(request.user.language)
            messages.success(request, _("Your preferences were saved."))
            return redirect("accounts:profile")
    elif request.method == "POST":
        email_form = EmailChangeForm(request.POST, prefix="email")
        if email_form.is_valid():
            try:
                services.user_change_email(
                    user=request.user,
                    current_password=email_form.cleaned_data["current_password"],
                    new_email=email_form.cleaned_data["email"],
                )
            except ValidationError as error:
                add_service_errors(email_form, error)
            else:
                messages.success(request, _("Your email address was changed."))
                return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"preferences": preferences, "email_form": email_form})


@staff_required
@require_GET
def invitation_list(request):
    invitations = (
        Invitation.objects.visible_to(request.user)
        .select_related("organization", "invited_by", "user")
        .order_by("-created_at")[:200]
    )
    return render(request, "accounts/invitation_list.html", {"invitations": invitations, "now": timezone.now()})


@staff_required
@require_http_methods(["GET", "POST"])
def invitation_create(request):
    form = InvitationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("accounts:invitation_list")
    return render(
        request,
        "accounts/invitation_form.html",
        {"form": form, "INVITATION_VALID_DAYS": settings.INVITATION_VALID_DAYS},
    )


@staff_required
@require_POST
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation.objects.visible_to(request.user), pk=pk)
    services.invitation_revoke(by=request.user, invitation=invitation)
    messages.success(request, _("Invitation revoked."))
    return redirect("accounts:invitation_list")


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    invitation = services.invitation_from_token(token)
    if invitation is None or not invitation.is_pending():
        return render(request, "accounts/invitation_invalid.html", status=410 if invitation else 404)
    form = InvitationAcceptForm(request.POST or None, initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token, password=form.cleaned_data["password1"], full_name=form.cleaned_data["full_name"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("portal:home")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})
