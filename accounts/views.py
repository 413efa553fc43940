from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notifications import registry

from . import services
from .access import key_user_required, staff_required
from .client_address import client_ip
from .forms import (
    EmailChangeForm,
    InvitationAcceptForm,
    InvitationForm,
    LockoutPasswordChangeForm,
    MemberInvitationForm,
    PasswordResetRequestForm,
    PreferencesForm,
    StaffAbsenceForm,
    add_service_errors,
    error_text,
)
from .mfa import services as mfa_services
from .mfa.policy import has_second_factor, mfa_required
from .models import VENDOR_ROLES, EmailChange, Invitation, Role, StaffAbsence, User
from .throttle import MailThrottled


@require_http_methods(["GET", "POST"])
def profile(request):
    preferences = PreferencesForm(instance=request.user, prefix="prefs")
    email_form = EmailChangeForm(prefix="email", request=request)
    status = 200
    if request.method == "POST" and "prefs-full_name" in request.POST:
        preferences = PreferencesForm(request.POST, instance=request.user, prefix="prefs")
        if preferences.is_valid():
            services.user_update_preferences(user=request.user, **preferences.cleaned_data)
            # Confirm in the language just chosen: the next page will speak it.
            translation.activate(request.user.language)
            messages.success(request, _("Your preferences were saved."))
            return remember_language(redirect("accounts:profile"), request.user.language)
    elif request.method == "POST":
        email_form = EmailChangeForm(request.POST, prefix="email", request=request)
        if email_form.is_valid():
            try:
                change = services.email_change_request(
                    user=request.user, new_email=email_form.cleaned_data["email"], client_ip=client_ip(request)
                )
            except MailThrottled as error:
                add_service_errors(email_form, error)
                status = 429
            except ValidationError as error:
                add_service_errors(email_form, error)
            else:
                # The same words whether or not the address is free: the form must not tell who has an account.
                messages.success(
                    request,
                    _("We sent a confirmation link to %(email)s. Your sign-in address changes when you open it.")
                    % {"email": change.new_email},
                )
                return redirect("accounts:profile")
    pending = EmailChange.objects.pending(timezone.now()).filter(user=request.user).first()
    return render(
        request,
        "accounts/profile.html",
        {
            "preferences": preferences,
            "email_form": email_form,
            "pending_email_change": pending,
            "has_second_factor": has_second_factor(request.user),
            "mfa_required": mfa_required(request.user),
            # A client's profile keeps the portal's header (as the notification pages do).
            "layout": registry.page_layout_for(request.user),
        },
        status=status,
    )


def remember_language(response, language: str):
    """The browser keeps the language too, so the signed-out pages (log in, after log out) speak it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@login_not_required
@require_POST
def set_language(request):
    """The language switcher at the foot of every page. Django's view checks the language and the ``next`` address
    and sets the cookie; for a signed-in user the choice is also their saved language (the profile's), which the
    next page, their emails and their notifications speak, on every device."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        # Django's view would keep any language Django itself speaks (fr, ...) in the cookie; ours are the offered.
        request.POST = request.POST.copy()
        request.POST.pop("language", None)
    response = i18n.set_language(request)
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_set_language(user=request.user, language=language)
    return response


# The pages behind a mailed link are signed out, yet show whose account it is, under a URL that is the credential:
# never cached, like Django's own password-reset page.
@never_cache
@login_not_required
@require_http_methods(["GET", "POST"])
def email_change_confirm(request, token):
    """The link mailed to the new address. GET only shows what will happen (mail scanners open links);
    the change is made by the button's POST."""
    change = services.email_change_from_token(token)
    if change is None:
        return render(request, "accounts/email_change_invalid.html", status=404)
    if not change.is_pending():
        return render(request, "accounts/email_change_invalid.html", status=410)
    error = None
    if request.method == "POST":
        try:
            user = services.email_change_confirm(token=token)
        except ValidationError as failure:
            error = failure.messages[0]
        else:
            if request.user == user:
                messages.success(request, _("Your email address is now %(email)s.") % {"email": user.email})
                return redirect("accounts:profile")
            return render(request, "accounts/email_change_done.html", {"email": user.email})
    return render(request, "accounts/email_change_confirm.html", {"change": change, "error": error})


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = LockoutPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


@login_not_required
@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = PasswordResetRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_request(email=form.cleaned_data["email"], client_ip=client_ip(request))
        except MailThrottled as error:
            add_service_errors(form, error)
            status = 429
        else:
            # Whether or not the address has an account: the next page says the same either way.
            return redirect("accounts:password_reset_done")
    return render(request, "accounts/password_reset.html", {"form": form}, status=status)


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
            invitation = services.invitation_create(by=request.user, client_ip=client_ip(request), **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            note = services.invitation_replaced_note(invitation)
            messages.success(
                request,
                " ".join(filter(None, [_("Invitation sent to %(email)s.") % {"email": invitation.email}, note])),
            )
            return redirect("accounts:invitation_list")
    return render(
        request,
        "accounts/invitation_form.html",
        {"form": form, "INVITATION_VALID_DAYS": settings.INVITATION_VALID_DAYS},
    )


@staff_required
@require_POST
def invitation_resend(request, pk):
    invitation = get_object_or_404(Invitation.objects.visible_to(request.user), pk=pk)
    try:
        new = services.invitation_resend(by=request.user, invitation=invitation, client_ip=client_ip(request))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        note = services.invitation_replaced_note(new)
        messages.success(
            request, " ".join(filter(None, [_("A new invitation was sent to %(email)s.") % {"email": new.email}, note]))
        )
    return redirect("accounts:invitation_list")


@staff_required
@require_POST
def invitation_revoke(request, pk):
    return _revoke_invitation(request, pk, back="accounts:invitation_list")


def _revoke_invitation(request, pk, *, back):
    """Staff and key users alike (``visible_to`` says whose invitations)."""
    invitation = get_object_or_404(Invitation.objects.visible_to(request.user), pk=pk)
    services.invitation_revoke(by=request.user, invitation=invitation)
    messages.success(request, _("Invitation revoked."))
    return redirect(back)


@never_cache
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
            mfa_services.record_password(request, user)
            messages.success(request, _("Welcome! Your account is ready."))
            if mfa_services.must_enrol(request, user):
                return redirect("accounts:mfa_enrol")
            return redirect("portal:home")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})


@staff_required
@require_http_methods(["GET", "POST"])
def absences(request):
    """Staff record their own absences (directors and admins anyone's, and see the whole team's); while a PM is
    away the deputy stands in on their engagements."""
    leads = request.user.leads_delivery
    people = User.objects.filter(is_active=True, role__in=VENDOR_ROLES).order_by("full_name") if leads else None
    form = StaffAbsenceForm(request.POST or None, people=people, initial={"user": request.user.pk})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        user = data.pop("user", None) or request.user
        try:
            services.staff_absence_record(by=request.user, user=user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if user == request.user:
                messages.success(request, _("Absence recorded: your deputy steps in on your engagements."))
            else:
                messages.success(request, _("Absence of %(name)s recorded.") % {"name": user.full_name})
            return redirect("accounts:absences")
    today = timezone.localdate()
    visible = StaffAbsence.objects.visible_to(request.user).select_related("user")
    context = {
        "form": form,
        "mine": visible.filter(user=request.user).order_by("-starts_on")[:50],
        # Directors and admins see the team's current and coming absences (who stands in is on the engagements).
        "team": visible.filter(ends_on__gte=today).exclude(user=request.user).order_by("starts_on", "user__full_name")
        if leads
        else None,
        "today": today,
    }
    return render(request, "accounts/absences.html", context)


def _absence_to_change_or_404(request, pk):
    """Someone's absence for those who may change it (its person, directors, admins); 404 for everyone else."""
    absence = get_object_or_404(StaffAbsence.objects.visible_to(request.user).select_related("user"), pk=pk)
    if not services.may_record_absence_of(request.user, absence.user):
        raise Http404
    return absence


@staff_required
@require_http_methods(["GET", "POST"])
def absence_edit(request, pk):
    absence = _absence_to_change_or_404(request, pk)
    if services.absence_is_over(absence, today=timezone.localdate()):
        messages.error(request, _("This absence is over; it stays as it was recorded."))
        return redirect("accounts:absences")
    form = StaffAbsenceForm(request.POST or None, instance=absence)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_absence_update(by=request.user, absence=absence, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Absence changed."))
            return redirect("accounts:absences")
    return render(request, "accounts/absence_form.html", {"form": form, "absence": absence})


@staff_required
@require_POST
def absence_cancel(request, pk):
    absence = _absence_to_change_or_404(request, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm the cancellation."))
        return redirect("accounts:absences")
    try:
        shortened = services.staff_absence_cancel(by=request.user, absence=absence)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        if shortened is None:
            messages.success(request, _("Absence cancelled."))
        else:
            messages.success(
                request,
                _("Absence ended: %(name)s is back today.") % {"name": shortened.user.full_name},
            )
    return redirect("accounts:absences")


# --- The key user's people (portal) ------------------------------------------------------------------------------


@key_user_required
@require_http_methods(["GET", "POST"])
def portal_people(request):
    """The key user's organization on the portal: its people, the pending invitations, and inviting a member."""
    form = MemberInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                by=request.user,
                organization=request.user.organization,
                role=Role.CLIENT_MEMBER,
                client_ip=client_ip(request),
                **form.cleaned_data,
            )
        except ValidationError as error:  # a throttled mail too (``MailThrottled``)
            add_service_errors(form, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("portal:people")
    now = timezone.now()
    people = User.objects.filter(organization_id=request.user.organization_id).order_by("-is_active", "full_name")
    pending = Invitation.objects.visible_to(request.user).pending(now).order_by("-created_at")
    return render(
        request,
        "accounts/portal_people.html",
        {"people": people, "pending": pending, "form": form, "INVITATION_VALID_DAYS": settings.INVITATION_VALID_DAYS},
    )


@key_user_required
@require_POST
def portal_invitation_revoke(request, pk):
    return _revoke_invitation(request, pk, back="portal:people")


@key_user_required
@require_POST
def portal_member_deactivate(request, pk):
    """A key user ends a member's access to the portal (their sessions end with it)."""
    members = User.objects.filter(organization_id=request.user.organization_id, role=Role.CLIENT_MEMBER, is_active=True)
    member = get_object_or_404(members, pk=pk)
    services.user_deactivate(by=request.user, user=member)
    messages.success(request, _("%(name)s can no longer sign in.") % {"name": member.full_name or member.email})
    return redirect("portal:people")
