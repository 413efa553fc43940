from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.calendar_range import CalendarRangeMixin
from accounts.forms import CrispyFormMixin
from attachments.services import upload_validate
from attachments.widgets import FilePickerInput

from .models import FIGURES, QualityReport

DATE = forms.DateInput(attrs={"type": "date"})


class QualityReportForm(CalendarRangeMixin, CrispyFormMixin, forms.ModelForm):
    submit_label = _("Save draft")
    upload = forms.FileField(
        label=_("Attachment"),
        required=False,
        widget=FilePickerInput(),
        help_text=_("Optional: the full test report (PDF, office document, image, ZIP or text)."),
    )

    class Meta:
        model = QualityReport
        fields = list(FIGURES)
        widgets = {"period_start": DATE, "period_end": DATE, "comment": forms.Textarea(attrs={"rows": 3})}

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            upload_validate(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})
        return cleaned


class QualityReportCorrectionForm(QualityReportForm):
    submit_label = _("Correct the published report")
    reason = forms.CharField(
        label=_("Why is it corrected?"),
        max_length=300,
        help_text=_("The client reads this with the report, next to the earlier figures."),
    )
