"""Rendering subjects: once per (template, language, zone, what the subject branches on), not once per row.

A sweep's notifications share a handful of subject templates, and a subject template mostly puts the event's own
words (a flag's title, an engagement's name) into a translated sentence. Rendering it with Django's template engine
per row was a third of the relay's expansion. So a ``Subjects`` renders each template once per shape of its
context, with a marker in place of every string that the template only prints as it is (``{{ title }}``, bare, in
or out of ``blocktranslate``), and each row's subject is that rendering with the row's strings put back where the
markers are. What is identical is kept identical:

- subjects are plain text (rendered without autoescape), and a bare ``{{ name }}`` prints a string unchanged, so the
  marker is replaced by exactly what the engine would have printed;
- every other value the template reads (in a tag: ``{% if kind == ... %}``, ``count``, ``with``; through a filter
  or a lookup; any non-string value, which the engine may localise) is part of the cache key;
- a template using a tag outside the few whose effect is known, or a value that is not a plain scalar, is rendered
  per row as before. So is one whose marked rendering fails (the per-row path logs the error and falls back).

A ``Subjects`` lives for one ``notify_many`` call or one expansion batch, so it never outlives a template edit.
"""

import datetime
import decimal
import re
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.template.loader import get_template
from django.utils import timezone, translation

from .common import render_plain, zone_for

# Tags that only translate, branch, name or pick values: what they read is part of the key, and they do not change
# how a bare variable prints. Anything else (include, filter, now, custom tags, ...) renders per row.
_KNOWN_TAGS = frozenset(
    {
        "load",
        "if",
        "elif",
        "else",
        "endif",
        "translate",
        "trans",
        "blocktranslate",
        "blocktrans",
        "plural",
        "endblocktranslate",
        "endblocktrans",
        "with",
        "endwith",
        "firstof",
        "comment",
        "endcomment",
    }
)
# Values that are keys as they are: immutable, compared by value (a model instance hashes by its id only).
_SCALARS = (str, int, float, bool, type(None), datetime.date, datetime.time, datetime.timedelta, decimal.Decimal)
_BARE = re.compile(r"\w+")
_NAME = re.compile(r"[A-Za-z_]\w*")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_MARKER = re.compile("\ue000(\\d+)\ue001")
_MISSING = object()


@dataclass(frozen=True)
class Shape:
    """What a subject template reads: names it only prints bare, and names it reads any other way."""

    printed: tuple[str, ...]
    read: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return self.printed + self.read


def shape_of(source: str) -> Shape | None:
    """The shape of a subject template's source, or None if it must be rendered per row."""
    printed, read = set(), set()
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.VAR:
            if _BARE.fullmatch(token.contents):
                printed.add(token.contents)
            else:
                read.update(_NAME.findall(_QUOTED.sub("", token.contents)))
        elif token.token_type == TokenType.BLOCK:
            tag, _space, rest = token.contents.partition(" ")
            if tag not in _KNOWN_TAGS:
                return None
            read.update(_NAME.findall(_QUOTED.sub("", rest)))
    return Shape(printed=tuple(sorted(printed - read)), read=tuple(sorted(read)))


def _reader(user, language: str) -> tuple[str, object]:
    return (user.language if user else None) or language or settings.LANGUAGE_CODE, zone_for(user)


def render_subject(template: str, context: dict, user, language: str = "") -> str:
    """One subject rendered on its own, in the reader's language and zone (raises what the template raises)."""
    language, zone = _reader(user, language)
    with translation.override(language), timezone.override(zone):
        return render_plain(f"{template}_subject.txt", context)


def one_line(subject: str) -> str:
    # One line: a newline in a title must not start a new mail header.
    return " ".join(subject.split())[:300]


class Subjects:
    """Subjects of one batch of rows (see the module docstring). ``render(template, context, user, language)`` is
    ``fallback(...)`` (the per-row rendering, which handles a broken template) whenever the shortcut does not
    apply."""

    def __init__(self, fallback):
        self._fallback = fallback
        self._shapes: dict[str, Shape | None] = {}
        self._parts: dict[tuple, list | None] = {}

    def shape(self, template: str) -> Shape | None:
        if template not in self._shapes:
            try:
                source = get_template(f"{template}_subject.txt").template.source
            except SoftTimeLimitExceeded:
                raise
            except Exception:
                self._shapes[template] = None  # Missing or broken: the per-row path records why.
            else:
                self._shapes[template] = shape_of(source)
        return self._shapes[template]

    def render(self, template: str, context: dict, user, language: str = "") -> str:
        shape = self.shape(template)
        if shape is None:
            return self._fallback(template, context, user, language)
        key, strings = [], []
        for name in shape.read:
            value = context.get(name, _MISSING)
            if value is not _MISSING and not isinstance(value, _SCALARS):
                return self._fallback(template, context, user, language)
            key.append((type(value), value))
        for name in shape.printed:
            value = context.get(name, _MISSING)
            if type(value) is str:
                strings.append(value)
                key.append(str)
            elif value is _MISSING or isinstance(value, _SCALARS):
                strings.append(None)
                key.append((type(value), value))
            else:
                return self._fallback(template, context, user, language)
        reader = _reader(user, language)
        cache_key = (template, *reader, *key)
        parts = self._parts.get(cache_key, _MISSING)
        if parts is _MISSING:
            parts = self._parts[cache_key] = self._marked(template, shape, context, strings, user, language)
        if parts is None:
            return self._fallback(template, context, user, language)
        return one_line("".join(strings[part] if type(part) is int else part for part in parts))

    def _marked(self, template, shape, context, strings, user, language) -> list | None:
        """The template rendered once with a marker for each printed string, split into text and marker indexes."""
        marked = dict(context)
        for index, (name, value) in enumerate(zip(shape.printed, strings, strict=True)):
            if value is not None:
                marked[name] = f"\ue000{index}\ue001"
        try:
            rendered = render_subject(template, marked, user, language)
        except SoftTimeLimitExceeded:
            raise
        except Exception:
            return None  # The row's own rendering records the error (and falls back to the title).
        pieces = _MARKER.split(rendered)
        # re.split alternates text and captured marker indexes.
        return [int(piece) if position % 2 else piece for position, piece in enumerate(pieces) if position % 2 or piece]
