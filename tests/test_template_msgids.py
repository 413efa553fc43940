"""Every string the templates translate is in each catalogue, read the way makemessages reads templates.

A reformatted template (djLint) that changes a ``{% blocktranslate %}`` body changes its msgid, and the page falls
back to English without any other test noticing; this one fails instead.
"""

import io
import tokenize
from ast import literal_eval
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation.template import templatize

from tests.test_locale import TRANSLATED, live_entries

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", Path(settings.BASE_DIR) / "attachments" / "templates"]
# The gettext calls templatize writes, and which of their string arguments are (context, msgid, plural).
CALLS = {"gettext": ("msgid",), "ngettext": ("msgid", "plural"), "pgettext": ("msgctxt", "msgid")}
CALLS["npgettext"] = ("msgctxt", "msgid", "plural")


def template_msgids() -> dict[tuple[str, str], str]:
    """(msgctxt, msgid) -> the template that uses it."""
    found = {}
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*")):
            if path.suffix not in {".html", ".txt"}:
                continue
            source = templatize(path.read_text(encoding="utf-8"), origin=str(path))
            # Only the calls matter: indentation (the template's own) would upset the tokenizer.
            source = "\n".join(line.lstrip() for line in source.splitlines())
            tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type != tokenize.NL]
            for i, token in enumerate(tokens):
                if token.type != tokenize.NAME or token.string not in CALLS or tokens[i + 1].string != "(":
                    continue
                strings = []
                for argument in tokens[i + 2 :]:
                    if argument.string == ")":
                        break
                    if argument.type == tokenize.STRING:
                        strings.append(literal_eval(argument.string))
                call = dict(zip(CALLS[token.string], strings, strict=False))
                found[(call.get("msgctxt", ""), call["msgid"])] = str(path.relative_to(settings.BASE_DIR))
    return found


def test_the_templates_translate_strings():
    assert len(template_msgids()) > 500


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_template_msgid_is_in_the_catalogue(code):
    known = {(entry.get("msgctxt", ""), entry["msgid"]) for entry in live_entries(code)}
    missing = {key: where for key, where in template_msgids().items() if key not in known}
    assert not missing, missing
