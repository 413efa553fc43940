from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from . import events, permissions


class EndpointForm(forms.Form):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    organization = forms.ModelChoiceField(
        label=_("Client"),
        queryset=None,
        required=False,
        empty_label=_("Every client (organization-wide)"),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"), choices=events.choices, widget=forms.CheckboxSelectMultiple
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = permissions.clients_for_endpoints(user)
        if not user.leads_delivery:
            # Only admins and directors add organization-wide endpoints.
            self.fields["organization"].required = True
            self.fields["organization"].empty_label = None
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save")))


class ReplayRangeForm(forms.Form):
    since = forms.DateTimeField(label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    until = forms.DateTimeField(label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
