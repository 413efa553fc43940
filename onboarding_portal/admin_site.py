"""The project's admin site: Django's, except that its own password-change page checks the current password as a
login would be checked (``accounts.forms.LockoutPasswordChangeForm``), and that it signs in on the portal's login
page (with its second factor), never with a password form of its own.

Django's admin changes a signed-in admin's password with ``AdminPasswordChangeForm``, which compares the old
password directly: wrong guesses would not count towards the lockout, nor be refused while it lasts, so a stolen
admin session could try passwords there without limit and then set its own. Installed in place of
``django.contrib.admin`` (``INSTALLED_APPS`` names ``admin_apps.PortalAdminConfig``, which loads before the models
and so lives apart), so every ``admin.site.register`` lands here.
"""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.forms import LockoutPasswordChangeForm


class AdminLockoutPasswordChangeForm(LockoutPasswordChangeForm):
    required_css_class = "required"


class PortalAdminSite(admin.AdminSite):
    site_header = "Onboarding Portal administration"
    site_title = "Onboarding Portal admin"

    @method_decorator(login_not_required)
    def login(self, request, extra_context=None):
        """The admin signs in on the portal's own login page: the same lockout and the same second factor (an admin
        must have one, ``accounts.mfa.policy``). Django's admin login form would check the password alone."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse("admin:index", current_app=self.name)
        if request.user.is_authenticated and self.has_permission(request):
            return redirect(next_url)
        return redirect_to_login(next_url, login_url=reverse("accounts:login"))

    def password_change(self, request, extra_context=None):
        # Imported here: this site is built while the admin app loads (``default_site``), before the apps' views
        # may be imported.
        from accounts.views import PasswordChangeView

        request.current_app = self.name
        return PasswordChangeView.as_view(
            form_class=AdminLockoutPasswordChangeForm,
            template_name=self.password_change_template or "registration/password_change_form.html",
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
        )(request)
