from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.calendar_range import CalendarRangeMixin
from accounts.forms import CrispyFormMixin
from accounts.models import User
from attachments.widgets import FilePickerInput
from engagements.forms import DATE
from engagements.selectors import assignee_choices

from .models import ChecklistItem, ChecklistTemplate, Decision, DependencyKind, ItemStatus
from .selectors import item_statuses


class TemplateApplyForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Checklist template"), queryset=ChecklistTemplate.objects.all())


class ItemCreateForm(CalendarRangeMixin, CrispyFormMixin, forms.ModelForm):
    submit_label = _("Add")

    class Meta:
        model = ChecklistItem
        fields = ["title", "owner_side", "assignee", "due_on", "evidence_required"]
        widgets = {"due_on": DATE}

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignee_choices(engagement)


class ItemUpdateForm(CalendarRangeMixin, forms.Form):
    """Partial updates from inline controls: only the fields posted are changed."""

    status = forms.ChoiceField(choices=ItemStatus.choices, required=False)
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    due_on = forms.DateField(required=False, widget=DATE)

    def __init__(self, *args, engagement, can_manage, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignee_choices(engagement)
        self.fields["status"].choices = item_statuses(can_manage=can_manage)

    def changes(self):
        return {name: self.cleaned_data[name] for name in self.fields if name in self.data}


class EvidenceForm(forms.Form):
    evidence_link = forms.URLField(label=_("Evidence link"), required=False, max_length=500, assume_scheme="https")
    evidence_file = forms.FileField(
        label=_("Evidence file"),
        required=False,
        # The ids the evidence partial's label and help text point to.
        widget=FilePickerInput(attrs={"id": "evidence_file", "aria-describedby": "evidence_file_help"}),
    )

    def __init__(self, *args, file_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # An item that needs a file asks the browser for one too; the service checks it either way (with its own
        # message), so the field itself stays optional.
        if file_required:
            self.fields["evidence_file"].widget.attrs["required"] = True


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write a comment first.")},
    )
    is_internal = forms.BooleanField(label=_("Internal (vendor only)"), required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SatisfactionForm(forms.Form):
    score = forms.TypedChoiceField(coerce=int, choices=[(n, str(n)) for n in range(1, 6)])
    comment = forms.CharField(required=False, max_length=2000)


class ActualsForm(CalendarRangeMixin, CrispyFormMixin, forms.Form):
    submit_label = _("Add entry")

    spent_on = forms.DateField(label=_("Date"), widget=DATE)
    effort_days = forms.DecimalField(
        label=_("Person-days"), min_value=0, max_digits=9, decimal_places=1, required=False
    )
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=12, decimal_places=2, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("effort_days") or data.get("amount")):
            raise forms.ValidationError(_("Enter the effort or the amount spent."))
        return data


class DependencyForm(forms.Form):
    """A new dependency of an item: the item it waits for (a picker of the engagement's items), how, and the lag."""

    predecessor = forms.IntegerField(label=_("Waits for"))
    kind = forms.ChoiceField(label=_("How"), choices=DependencyKind.choices, initial=DependencyKind.FINISH_TO_START)
    lag_days = forms.IntegerField(label=_("Lag (working days)"), min_value=0, max_value=250, initial=0)
