"""The file picker of every upload form: a real ``<input type=file>`` whose visible button and status are ours.

A browser draws its own file input in the browser's language ("Choose files", "No file chosen"), whatever the page's
language, and no CSS can change those words. So the input stays in the page, focusable and labelled, but is drawn
invisibly (app.css); a ``<label>`` styled as a button opens it, and a status line says what was chosen, both in the
page's language. static/js/app.js updates the status when the choice changes (no inline script: the
Content-Security-Policy forbids it).
"""

from django.forms.widgets import Input
from django.utils.translation import gettext, ngettext

# Intl.PluralRules (in the browser) names a number's plural category; each category's message is gettext's form for
# a number in that category. one: 1; few: 2 (Polish 2-4, 22-24...); many: 5 (Polish 5-21, 25...); other: 2 (English,
# German). For whole numbers these categories are exactly the Plural-Forms of locale/pl and locale/de.
PLURAL_SAMPLES = {"one": 1, "few": 2, "many": 5, "other": 2}


class FilePickerInput(Input):
    """A file input with a translated button and status.

    It repeats FileInput's handful of methods instead of subclassing it: crispy-forms draws every FileInput with its
    own bare ``<input>`` template, which would bring back the browser's untranslated control.
    """

    input_type = "file"
    needs_multipart_form = True
    allow_multiple_selected = False
    template_name = "attachments/widgets/file_picker.html"

    def __init__(self, attrs=None, *, multiple: bool = False):
        self.allow_multiple_selected = multiple
        attrs = dict(attrs or {})
        if multiple:
            attrs["multiple"] = True
        super().__init__(attrs)

    def format_value(self, value):
        # A browser never shows a file input a value.
        return None

    def value_from_datadict(self, data, files, name):
        if self.allow_multiple_selected and hasattr(files, "getlist"):
            return files.getlist(name)
        return files.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in files

    def use_required_attribute(self, initial):
        return super().use_required_attribute(initial) and not initial

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        attrs = widget["attrs"]
        # The form layout's "form-control" styles a visible box; this input is drawn invisibly instead. An error
        # (crispy's "is-invalid", Django's aria-invalid) marks the wrapper, whose sibling is the error text Bootstrap
        # shows only after an invalid element.
        widget["invalid"] = "is-invalid" in attrs.get("class", "").split() or attrs.get("aria-invalid") == "true"
        attrs["class"] = "file-picker-input"
        status_id = f"{attrs.get('id') or name}_status"
        attrs["aria-describedby"] = " ".join(filter(None, [attrs.get("aria-describedby"), status_id]))
        attrs["data-file-picker"] = status_id
        widget["status_id"] = status_id
        widget["button_label"] = gettext("Choose files") if self.allow_multiple_selected else gettext("Choose a file")
        widget["none_chosen"] = gettext("No file chosen")
        widget["chosen"] = {
            category: ngettext("%(count)s file chosen", "%(count)s files chosen", number)
            for category, number in PLURAL_SAMPLES.items()
        }
        return context
