"""The project's admin site: Django's, except that its own password-change page checks the current password as a
login would be checked (``accounts.forms.LockoutPasswordChangeForm``).

Django's admin changes a signed-in admin's password with ``AdminPasswordChangeForm``, which compares the old
password directly: wrong guesses would not count towards the lockout, nor be refused while it lasts, so a stolen
admin session could try passwords there without limit and then set its own. Installed in place of
``django.contrib.admin`` (``INSTALLED_APPS`` names ``admin_apps.PortalAdminConfig``, which loads before the models
and so lives apart), so every ``admin.site.register`` lands here.
"""

from django.contrib import admin
from django.urls import reverse

from accounts.forms import LockoutPasswordChangeForm


class AdminLockoutPasswordChangeForm(LockoutPasswordChangeForm):
    required_css_class = "required"


class PortalAdminSite(admin.AdminSite):
    site_header = "Onboarding Portal administration"
    site_title = "Onboarding Portal admin"

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
