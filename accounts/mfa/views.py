"""The login's second step, and the two-factor section of the profile (enrolment, recovery codes)."""

import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..forms import add_service_errors, error_text
from ..models import User
from ..step_up import step_up_required
from . import services
from .forms import CodeForm, EnrolForm
from .policy import has_second_factor, mfa_required


class LoginView(auth_views.LoginView):
    """The password page. After the right password, a person with a second factor goes on to the code page
    (nobody is signed in yet); everyone else is signed in, and one who must enrol is sent to the enrolment."""

    template_name = "accounts/login.html"

    def form_valid(self, form):
        user = form.get_user()
        if has_second_factor(user):
            self.request.session[services.PENDING_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "at": time.time(),
                "next": self.get_success_url(),
            }
            return redirect("accounts:mfa_authenticate")
        response = super().form_valid(form)
        services.record_password(self.request, user)
        if services.must_enrol(self.request, user):
            messages.info(self.request, _("Your account must sign in with a second factor. Set it up now."))
            return redirect("accounts:mfa_enrol")
        return response


def _pending_user(request):
    pending = request.session.get(services.PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > settings.MFA_LOGIN_TIMEOUT_SECONDS:
        return None, None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).select_related("organization").first()
    return user, pending


@never_cache
@login_not_required
@require_http_methods(["GET", "POST"])
def mfa_authenticate(request):
    """The code page after the right password: the authenticator app's code or a recovery code signs in. Wrong
    codes count towards the lockout (the account and the client address), as wrong passwords do."""
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(services.PENDING_KEY, None)
        messages.info(request, _("Please enter your password again: the code page waits five minutes."))
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if services.is_locked_out(request, user):
            request.axes_locked_out = True  # django-axes' middleware answers with the lockout page
            return render(request, "accounts/locked_out.html", status=429)
        authenticator = services.verify_code(request, user=user, code=form.cleaned_data["code"])
        if authenticator is not None:
            del request.session[services.PENDING_KEY]
            login(request, user, backend=pending["backend"])
            services.record_password(request, user)
            services.record_second_factor(request, authenticator)
            if authenticator.type == Authenticator.Type.RECOVERY_CODES:
                messages.warning(
                    request,
                    _("You signed in with a recovery code; %(count)s are left. Make new ones on your profile.")
                    % {"count": services.recovery_codes_left(user)},
                )
            return redirect(pending["next"])
        form.add_error("code", _("That code is wrong or was already used. Enter the code the app shows now."))
        status = 400
    return render(request, "accounts/mfa_authenticate.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_enrol(request):
    """Two-factor login on the profile: set up an authenticator app (QR code, its first code confirms it), then
    the recovery codes (shown once), make new ones, or turn it off where the account may do without."""
    user = request.user
    if has_second_factor(user):
        context = {
            "enrolled": True,
            "required": mfa_required(user),
            "codes_left": services.recovery_codes_left(user),
            "totp": Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first(),
        }
        return render(request, "accounts/mfa_enrol.html", context)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_enrol(request, user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            request.session[services.FRESH_CODES_KEY] = codes
            messages.success(request, _("Two-factor login is on. Keep your recovery codes somewhere safe."))
            return redirect("accounts:mfa_recovery_codes")
    secret = services.enrolment_secret(request)
    uri = services.enrolment_uri(user, secret)
    context = {
        "enrolled": False,
        "required": mfa_required(user),
        "form": form,
        "secret": secret,
        "qr_svg": services.enrolment_qr_svg(uri),
    }
    return render(request, "accounts/mfa_enrol.html", context, status=400 if form.errors else 200)


@never_cache
@require_GET
def mfa_recovery_codes(request):
    """The recovery codes just made, shown this once (a reload shows them no more)."""
    codes = request.session.pop(services.FRESH_CODES_KEY, None)
    if not codes:
        return redirect("accounts:mfa_enrol")
    return render(request, "accounts/mfa_recovery_codes.html", {"codes": codes})


@require_POST
@step_up_required
def mfa_recovery_codes_regenerate(request):
    try:
        codes = services.recovery_codes_regenerate(user=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("accounts:mfa_enrol")
    request.session[services.FRESH_CODES_KEY] = codes
    messages.success(request, _("New recovery codes made; the old ones no longer work."))
    return redirect("accounts:mfa_recovery_codes")


@require_POST
@step_up_required
def mfa_remove(request):
    try:
        services.totp_remove(user=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Two-factor login is off."))
    return redirect("accounts:mfa_enrol")
