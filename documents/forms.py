from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import CrispyFormMixin
from attachments.services import upload_validate
from attachments.widgets import FilePickerInput

from .models import Document, DocumentVersion


class DocumentForm(CrispyFormMixin, forms.ModelForm):
    submit_label = _("Add document")

    class Meta:
        model = Document
        fields = ["title", "kind", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class VersionForm(CrispyFormMixin, forms.ModelForm):
    submit_label = _("Upload as draft")
    upload = forms.FileField(
        label=_("File"), widget=FilePickerInput(), help_text=_("PDF, office document, image, ZIP or text.")
    )

    class Meta:
        model = DocumentVersion
        fields = ["label", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            upload_validate(upload)
        return upload
