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
from django.utils.translation import gettext_lazy as _

from accounts.forms import LockoutPasswordChangeForm
from accounts.models import Role


class AdminLockoutPasswordChangeForm(LockoutPasswordChangeForm):
    required_css_class = "required"


# The admin's index for the people who configure the product: what they set up first, then the records, and the
# machinery apart (and for admins only). Models by "app_label.ModelName".
CONFIGURATION = (
    "checklists.ChecklistTemplate",
    "governance.CadenceTemplate",
    "escalations.EscalationPath",
    "escalations.BusinessCalendar",
    "escalations.OnCallRota",
    "accounts.Organization",
    "accounts.User",
)
INFRASTRUCTURE_APPS = frozenset({"axes", "django_celery_beat"})
INFRASTRUCTURE_MODELS = frozenset({"notifications.NotificationFanout", "notifications.Reminder"})


def _key(app, model) -> str:
    return f"{app['app_label']}.{model['object_name']}"


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

    def get_app_list(self, request, app_label=None):
        """On the index (and the sidebar): *Configuration* first (templates, cadences, paths, calendars, rotas,
        organizations, users), then each app's records, then *Infrastructure* (lockout records, beat internals,
        fan-out rows, reminder rows), shown to admins only. An app's own page stays as Django lists it."""
        apps = super().get_app_list(request, app_label)
        if app_label is not None:
            return apps
        configuration, infrastructure, records = {}, [], []
        for app in apps:
            kept = []
            for model in app["models"]:
                key = _key(app, model)
                if key in CONFIGURATION:
                    configuration[key] = model
                elif app["app_label"] in INFRASTRUCTURE_APPS or key in INFRASTRUCTURE_MODELS:
                    infrastructure.append(model)
                else:
                    kept.append(model)
            if kept:
                records.append({**app, "models": kept})
        index = reverse("admin:index", current_app=self.name)
        sections = []
        if configuration:
            sections.append(
                {
                    "name": _("Configuration"),
                    "app_label": "configuration",
                    "app_url": f"{index}#configuration",
                    "has_module_perms": True,
                    "models": [configuration[key] for key in CONFIGURATION if key in configuration],
                }
            )
        sections += records
        user = request.user
        if infrastructure and (user.is_superuser or user.role == Role.VENDOR_ADMIN):
            sections.append(
                {
                    "name": _("Infrastructure (admins only)"),
                    "app_label": "infrastructure",
                    "app_url": f"{index}#infrastructure",
                    "has_module_perms": True,
                    "models": infrastructure,
                }
            )
        return sections

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
