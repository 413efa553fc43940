from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_RECEIPT_BYTES


class VerifyForm(forms.Form):
    """A receipt to check: pasted, or its downloaded file."""

    text = forms.CharField(
        label=_("Paste the receipt"),
        required=False,
        max_length=MAX_RECEIPT_BYTES,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "font-monospace"}),
    )
    file = forms.FileField(label=_("or choose the downloaded receipt file"), required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_RECEIPT_BYTES:
                raise forms.ValidationError(_("This file is too large to be a receipt."))
            try:
                data["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("This file is not a receipt (it is not text).")) from None
        if not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Paste a receipt or choose its file."))
        return data
