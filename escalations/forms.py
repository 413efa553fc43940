"""Forms parse input only; the services decide and validate again."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.calendar_range import CalendarRangeMixin
from attachments.widgets import FilePickerInput
from engagements.models import Engagement

from .models import FlagCategory, Severity, StepSide, StepStatus

DATE = forms.DateInput(attrs={"type": "date"})


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by the upload module when the service stores it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", FilePickerInput(multiple=True))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class RaiseForm(forms.Form):
    """A complaint raised in the portal (``engagement`` among the client's own) or by staff for the client."""

    engagement = forms.ModelChoiceField(queryset=Engagement.objects.none(), label=_("Project"))
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What went wrong, since when, and what it means for you."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=FlagCategory.choices)
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        initial=Severity.NORMAL,
        help_text=_("Critical: your business is stopped or at serious risk. High: an important part does not work."),
    )
    files = MultipleFileField(
        label=_("Attachments (optional)"), help_text=_("Up to 5 files: PDF, images, office documents, text.")
    )

    def __init__(self, *args, engagements=None, reporters=None, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = engagements if engagements is not None else Engagement.objects.none()
        if engagements is not None and engagements.count() == 1:
            self.fields["engagement"].initial = engagements.first()
        if reporters is not None:
            self.fields["reporter"] = forms.ModelChoiceField(
                queryset=reporters,
                required=False,
                label=_("Raised for (client person)"),
                help_text=_("They follow the red flag in the portal and are told about every change."),
            )
            self.fields["reporter_name"] = forms.CharField(label=_("…or their name"), max_length=150, required=False)
            del self.fields["engagement"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        # The client raises a complaint (the portal's word); staff pages pass their own label.
        self.helper.add_input(Submit("submit", submit_label or _("Send the complaint")))


class UpdateForm(forms.Form):
    body = forms.CharField(label=_("Update"), widget=forms.Textarea(attrs={"rows": 3}))
    internal = forms.BooleanField(label=_("Internal note (the client does not see it)"), required=False)
    files = MultipleFileField(label=_("Attachments (optional)"))


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=_("Attachments (optional)"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))


class AcknowledgeForm(forms.Form):
    level = forms.IntegerField(min_value=1, required=False)


class StepForm(CalendarRangeMixin, forms.Form):
    title = forms.CharField(label=_("Step"), max_length=300)
    owner_side = forms.ChoiceField(label=_("Owner side"), choices=StepSide.choices)
    owner = forms.ModelChoiceField(queryset=None, label=_("Owner"))
    due_on = forms.DateField(label=_("Due date"), widget=DATE)
    risk = forms.CharField(label=_("Risk if it is not done"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class StepStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=StepStatus.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DuplicateForm(forms.Form):
    original = forms.IntegerField(label=_("Duplicate of"))
    # The kept flag's severity the key user was shown: the merge is refused if it would now be another.
    severity = forms.ChoiceField(choices=Severity.choices, required=False)
