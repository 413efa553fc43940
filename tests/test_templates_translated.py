"""Every word a person reads in a template is marked for translation.

Each template under templates/ (and any app's templates/) is read with its Django tags taken out: what
``{% translate %}`` and ``{% blocktranslate %}`` produce, comments, variables and other tags disappear, and what is left
is the template's own wording. No text a reader sees (a text node with a letter in it, or a title, alt,
placeholder or aria-label attribute) may be left: it would stay English in every language.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

# Words that read the same in every language: the brand, units and codes, and symbols.
ALLOWED = {
    "Onboarding Portal",  # the product's name
    "v",  # "v3": a minutes version, before its number
    "PM",
    "CSM",
    "CSV",
    "SLA",
    "ICS",
    "MB",
    "×",
}
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}
LETTER = re.compile(r"[^\W\d_]")

COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)
BLOCK_TRANSLATE = re.compile(r"{%\s*blocktrans(?:late)?\b.*?%}.*?{%\s*endblocktrans(?:late)?\s*%}", re.S)
# What a tag or a variable shows is either translated by the tag or data; either way not the template's wording.
# Blocks that fill in a CSS class or colour name (``{% block navbar_color %}portal{% endblock %}``).
STYLE_BLOCK = re.compile(r"{%\s*block\s+\w*(?:class|color)\s*%}.*?{%\s*endblock", re.S)
TAG = re.compile(r"{%.*?%}|{{.*?}}", re.S)
UNRENDERED = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)


def template_dirs() -> list[Path]:
    dirs = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    base = Path(settings.BASE_DIR)
    dirs += [p for p in base.glob("*/templates") if p.is_dir() and ".venv" not in p.parts]
    return sorted(set(dirs))


def templates() -> list[Path]:
    # Overrides of the admin's templates keep the admin's own wording, which Django translates.
    return sorted(
        p for d in template_dirs() for p in d.rglob("*") if p.suffix in {".html", ".txt"} and "admin" not in p.parts
    )


def own_wording(source: str) -> str:
    source = COMMENT.sub(" ", source)
    source = BLOCK_TRANSLATE.sub(" ", source)
    source = STYLE_BLOCK.sub(" ", source)
    return TAG.sub(" ", source)


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.found.append(f'{name}="{value.strip()}"')

    def handle_data(self, data):
        self.found.append(data.strip())


def untranslated(path: Path) -> list[str]:
    wording = own_wording(path.read_text(encoding="utf-8"))
    if path.suffix == ".html":
        parser = VisibleText()
        parser.feed(UNRENDERED.sub(" ", wording))
        parser.close()
        pieces = parser.found
    else:
        pieces = wording.splitlines()
    left = []
    for piece in pieces:
        text = piece.strip()
        value = text.split('="', 1)[1][:-1] if '="' in text and text.endswith('"') else text
        for phrase in ALLOWED:
            value = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", " ", value)
        words = re.split(r"[\s·—–:,;()/|.!?+#%…“”„\"'-]+", value)
        if any(LETTER.search(word) for word in words):
            left.append(text)
    return left


def test_the_scan_finds_templates():
    assert len(templates()) > 150


@pytest.mark.parametrize("path", templates(), ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_no_template_shows_untranslated_words(path):
    assert untranslated(path) == []


def test_the_scan_catches_an_unmarked_text_and_attribute(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '{% load i18n %}<h1>{% translate "Fine" %}</h1><p>Not marked</p>'
        '<input placeholder="Type here"><img alt="{% translate \'Fine\' %}">'
        "{% blocktranslate %}Also fine {{ x }}{% endblocktranslate %}{# A comment #}"
        "<span>{{ data }} · PM · Onboarding Portal</span>"
        '<body class="{% block body_class %}portal{% endblock %}">',
        encoding="utf-8",
    )
    assert untranslated(page) == ["Not marked", 'placeholder="Type here"']
    # An allowed word counts only as a whole word: "PMs" is English.
    page.write_text("<p>PMs</p><p>v{{ n }}</p>", encoding="utf-8")
    assert untranslated(page) == ["PMs"]
    mail = tmp_path / "mail.txt"
    mail.write_text("{% load i18n %}{% translate 'Hello' %}\nRegards,\n{{ name }}\n", encoding="utf-8")
    assert untranslated(mail) == ["Regards,"]
