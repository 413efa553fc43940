from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout, Submit
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import client_access, time_zones
from .calendar_range import CalendarRangeMixin
from .lockout import password_confirm
from .models import Invitation, StaffAbsence, User


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: field errors at their fields, the rest on top. Used by every
    app's views (accounts is the lowest layer they share)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else NON_FIELD_ERRORS, errors)
    else:
        form.add_error(NON_FIELD_ERRORS, error.messages)


def error_text(error: ValidationError) -> str:
    """A service's ValidationError as one message (a flash message, an inline error)."""
    return " ".join(error.messages)


def form_error_text(form) -> str:
    """Every error of an invalid form as one message, for a small form that has no page to show them on."""
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


class CrispyFormMixin:
    """A crispy-forms helper with one submit button labelled ``submit_label``."""

    submit_label = _("Save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


class InvitationForm(CrispyFormMixin, forms.ModelForm):
    submit_label = _("Send invitation")

    class Meta:
        model = Invitation
        fields = ["organization", "full_name", "email", "role"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = client_access.clients_invitable_by(user).order_by("name")
        self.fields["organization"].label = _("Client")


class MemberInvitationForm(CrispyFormMixin, forms.Form):
    """A key user invites a member of their own organization (the role and organization are theirs to give only)."""

    submit_label = _("Send invitation")

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email address"))


class InvitationAcceptForm(CrispyFormMixin, forms.Form):
    submit_label = _("Create my account")

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password confirmation"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two password fields didn’t match."))
        return cleaned


class PreferencesForm(CrispyFormMixin, forms.ModelForm):
    """Name, time zone and language. The time zones are the world's places grouped by region, without aliases,
    with a search box that narrows the list (``static/js/app.js``, ``data-filter``)."""

    time_zone = forms.ChoiceField(label=_("Time zone"))

    class Meta:
        model = User
        fields = ["full_name", "time_zone", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.time_zone if self.instance.pk else ""
        self.fields["time_zone"].choices = time_zones.choices(now=timezone.now(), current=current)
        self.fields["time_zone"].help_text = _("Dates and times on every page and in every email are shown in it.")
        self.helper.layout = Layout(
            "full_name",
            HTML(
                format_html(
                    '<div class="mb-1"><label class="form-label" for="tz-search">{}</label>'
                    '<input class="form-control form-control-sm" type="search" id="tz-search" data-filter="{}" '
                    'placeholder="{}" autocomplete="off"></div>',
                    _("Search the time zones"),
                    self.auto_id % self.add_prefix("time_zone") if self.auto_id else "id_time_zone",
                    _("City or region, e.g. Berlin"),
                )
            ),
            "time_zone",
            "language",
        )


class EmailChangeForm(CrispyFormMixin, forms.Form):
    submit_label = _("Send confirmation link")

    email = forms.EmailField(
        label=_("New email address"),
        help_text=_("We send a link to the new address; the change takes effect when you open it."),
    )
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Enter your password to confirm this change."),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_current_password(self):
        # Checked like a login: wrong guesses count towards the lockout, and none is checked while it lasts.
        password = self.cleaned_data["current_password"]
        if not password_confirm(self.request, user=self.request.user, password=password):
            raise ValidationError(_("Your password was entered incorrectly."), code="password_incorrect")
        return password


class LockoutPasswordChangeForm(PasswordChangeForm):
    """Django's password change, with the old password checked like a login (see ``EmailChangeForm``)."""

    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not password_confirm(self.request, user=self.user, password=old_password):
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class StaffAbsenceForm(CalendarRangeMixin, CrispyFormMixin, forms.ModelForm):
    """An absence: the dates, the reason and a note; for directors and admins also whose absence it is (``user``,
    offered only when ``people`` is given)."""

    submit_label = _("Record absence")

    class Meta:
        model = StaffAbsence
        fields = ["user", "starts_on", "ends_on", "reason", "note"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"starts_on": _("First day away"), "ends_on": _("Last day away")}

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is None or self.instance.pk:
            del self.fields["user"]
        else:
            self.fields["user"].queryset = people
            self.fields["user"].label = _("Who is away")
        if self.instance.pk:
            self.helper.inputs[0].value = _("Save")

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error(
                "ends_on",
                _("The absence cannot end before it starts: choose an end date on or after the first day."),
            )
        return data

    def _post_clean(self):
        # The service validates (who it is for, overlaps) and names the field in its error.
        return None
