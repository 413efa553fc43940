"""The translation catalogues: complete, free of fuzzy guesses, and compiled from the .po that is committed.

The compiled .mo is committed too (a fresh machine may lack GNU gettext), so nothing else would notice a .po
edited without recompiling. These tests read both files in pure Python: they run without gettext installed.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]|\{\{\s*[\w.]+\s*\}\}")


def po_entries(path: Path) -> list[dict]:
    """Parse a .po file into entries: msgctxt, msgid, msgid_plural, msgstr (list of forms), flags, obsolete."""
    entries, entry, field = [], {}, None

    def finish():
        if "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            entry, field = {}, None
            continue
        if line.startswith("#,"):
            entry.setdefault("flags", set()).update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        if obsolete:
            entry["obsolete"] = True
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            text = ast.literal_eval(line)
        else:
            text = ast.literal_eval(rest)
            field = ("msgstr", int(keyword[7:-1])) if keyword.startswith("msgstr[") else keyword
        if isinstance(field, tuple):
            forms = entry.setdefault("msgstr", {})
            forms[field[1]] = forms.get(field[1], "") + text
        elif field == "msgstr":
            entry["msgstr"] = {0: entry.get("msgstr", {}).get(0, "") + text}
        else:
            entry[field] = entry.get(field, "") + text
    return entries


def catalogue(code: str) -> tuple[Path, Path]:
    messages = LOCALE_DIR / code / "LC_MESSAGES"
    return messages / "django.po", messages / "django.mo"


def live_entries(code: str) -> list[dict]:
    po, _mo = catalogue(code)
    return [e for e in po_entries(po) if e["msgid"] and not e.get("obsolete")]


def test_every_offered_language_but_english_has_a_catalogue():
    assert TRANSLATED, "no language besides English is offered"
    for code in TRANSLATED:
        po, mo = catalogue(code)
        assert po.is_file() and mo.is_file(), code


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_catalogue_has_no_untranslated_or_fuzzy_entries(code):
    entries = live_entries(code)
    assert len(entries) > 700
    untranslated = [e["msgid"] for e in entries if not all(e.get("msgstr", {0: ""}).values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", ())]
    plurals_short = [e["msgid"] for e in entries if "msgid_plural" in e and len(e["msgstr"]) < 2]
    assert (untranslated, fuzzy, plurals_short) == ([], [], [])
    po, _mo = catalogue(code)
    header = next(e for e in po_entries(po) if e["msgid"] == "")
    assert "fuzzy" not in header.get("flags", ())


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_plural_entry_has_each_form_the_language_counts(code):
    # Polish has three forms (1 zadanie, 2 zadania, 5 zadań); German two. An entry with fewer shows English or
    # nothing for some counts.
    po, _mo = catalogue(code)
    header = next(e for e in po_entries(po) if e["msgid"] == "")["msgstr"][0]
    nplurals = int(re.search(r"nplurals=(\d+)", header).group(1))
    assert nplurals == {"de": 2, "pl": 3}.get(code, nplurals)
    wrong = [e["msgid"] for e in live_entries(code) if "msgid_plural" in e and len(e["msgstr"]) != nplurals]
    assert wrong == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_every_placeholder(code):
    broken = []
    for e in live_entries(code):
        for n, text in e["msgstr"].items():
            source = e["msgid_plural"] if n and "msgid_plural" in e else e["msgid"]
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                broken.append(e["msgid"])
    assert broken == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalogue_matches_the_po(code):
    po, mo = catalogue(code)
    with mo.open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    expected = {}
    for e in live_entries(code):
        msgid = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if "msgid_plural" in e:
            for n, text in e["msgstr"].items():
                expected[(msgid, n)] = text
        else:
            expected[msgid] = e["msgstr"][0]
    actual = {key: text for key, text in translations._catalog.items() if key != ""}
    stale = sorted(str(key) for key in expected.keys() ^ actual.keys())
    changed = sorted(str(key) for key in expected.keys() & actual.keys() if expected[key] != actual[key])
    assert (stale, changed) == ([], []), "recompile: msgfmt -o django.mo django.po (or manage.py compilemessages)"


def test_translated_strings_are_marked_with_names_makemessages_extracts():
    # xgettext only knows gettext's own names (and "_"): a string marked through another alias
    # (``gettext_lazy as _lazy``) never reaches a catalogue and stays English in every language.
    base = Path(settings.BASE_DIR)
    alias = re.compile(r"^from django\.utils\.translation import .*\b\w*gettext\w* as (?!_\b)(\w+)", re.M)
    found = [
        f"{path.relative_to(base)}: {name}"
        for path in base.glob("*/**/*.py")
        if ".venv" not in path.parts
        for name in alias.findall(path.read_text(encoding="utf-8"))
    ]
    assert found == []
