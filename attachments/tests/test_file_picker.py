"""The file picker shows the page's language, not the browser's, and stays a real, labelled file input."""

from html.parser import HTMLParser

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.datastructures import MultiValueDict

from attachments.widgets import FilePickerInput


class UploadForm(forms.Form):
    report = forms.FileField(label="Report", required=False, widget=FilePickerInput())
    files = forms.FileField(label="Files", required=False, widget=FilePickerInput(multiple=True), help_text="PDF")


class Elements(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def one(self, tag, **match):
        hits = [a for t, a in self.found if t == tag and all(a.get(k) == v for k, v in match.items())]
        assert len(hits) == 1, (tag, match, self.found)
        return hits[0]


def test_it_is_a_real_file_input_with_a_translated_button_and_status():
    with translation.override("pl"):
        html = str(UploadForm()["files"])
    elements = Elements(html)
    field = elements.one("input", type="file", name="files", id="id_files")
    assert "multiple" in field
    # The help text and the status both describe the input to a screen reader.
    assert field["aria-describedby"].split() == ["id_files_helptext", "id_files_status"]
    assert elements.one("label", **{"for": "id_files"})["class"].startswith("btn")
    status = elements.one("span", id="id_files_status")
    assert status["aria-live"] == "polite"
    assert ">Wybierz pliki</label>" in html and ">Nie wybrano pliku</span>" in html
    # One message per plural category the browser's Intl.PluralRules names (Polish: 1 plik, 2 pliki, 5 plików).
    assert status["data-one"] == "Wybrano %(count)s plik"
    assert status["data-few"] == "Wybrano %(count)s pliki"
    assert status["data-many"] == "Wybrano %(count)s plików"
    assert "Choose" not in html and "No file" not in html


def test_german_and_a_single_file():
    with translation.override("de"):
        html = str(UploadForm()["report"])
    elements = Elements(html)
    assert "multiple" not in elements.one("input", type="file", name="report")
    assert ">Datei auswählen</label>" in html
    status = elements.one("span", id="id_report_status")
    assert status["data-one"] == "%(count)s Datei ausgewählt" and status["data-other"] == "%(count)s Dateien ausgewählt"


def test_an_error_marks_the_picker_for_the_error_text_beside_it():
    form = UploadForm(data={}, files={})
    form.add_error("report", "Too big")
    html = form["report"].as_widget(attrs={"class": "form-control is-invalid"})
    assert '<div class="file-picker is-invalid">' in html
    assert 'class="file-picker-input"' in html and "form-control" not in html
    # Rendered plainly ({{ form.field }}), Django marks the error with aria-invalid.
    plain = str(form["report"])
    assert '<div class="file-picker is-invalid">' in plain and 'aria-invalid="true"' in plain


def test_it_reads_one_file_or_several_from_the_upload():
    one = SimpleUploadedFile("a.txt", b"a")
    two = SimpleUploadedFile("b.txt", b"b")
    files = MultiValueDict({"report": [one], "files": [one, two]})
    assert FilePickerInput().value_from_datadict({}, files, "report") is one
    assert FilePickerInput(multiple=True).value_from_datadict({}, files, "files") == [one, two]
    assert FilePickerInput().value_omitted_from_data({}, files, "absent")
    assert UploadForm().is_multipart()
