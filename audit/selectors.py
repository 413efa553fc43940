"""Reading the trail: an engagement's events (every tracked model that belongs to it, through the path it declared
in ``tracking.track``), newest first, a page at a time, each with who did it and what changed, in words.

One page costs a fixed number of queries however long the trail is: the count, the page (a ``UNION ALL`` of each
tracked model's events of the engagement, each row with its previous version of the same object), the page's
contexts, and the people named in them and in the changed fields."""

from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import F, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pghistory.models import Context

from .switch import trail_on
from .tracking import TRACKED

PAGE_SIZE = 25

LABELS = {"insert": gettext_lazy("created"), "update": gettext_lazy("changed"), "delete": gettext_lazy("deleted")}


@dataclass
class Change:
    field: str  # the field's verbose name
    before: str
    after: str


@dataclass
class Entry:
    at: datetime
    model: str  # the tracked model's verbose name
    object_id: str
    action: str  # "insert", "update", "delete"
    action_label: str
    summary: str  # the object in words (its str() at the time, where the row has one)
    changes: list[Change] = field(default_factory=list)
    user: str = ""
    address: str = ""
    task: str = ""
    task_id: str = ""
    engagement_id: int | None = None

    @property
    def actor(self) -> str:
        if self.user:
            return self.user
        if self.task:
            return _("task %(name)s") % {"name": self.task}
        return _("the system")


@dataclass
class Trail:
    on: bool
    entries: list[Entry]
    count: int
    page: int
    pages: int


def event_models() -> list:
    """(tracked model label, event model) of every tracked model, in label order."""
    found = []
    for model in apps.get_models():
        tracked = getattr(model, "pgh_tracked_model", None)
        if tracked is not None and tracked._meta.label in TRACKED:
            found.append((tracked._meta.label, model))
    return sorted(found, key=lambda pair: pair[0])


def _lookup(tracked_label: str) -> str:
    """The path from a tracked model's event rows to their engagement's id."""
    path = TRACKED[tracked_label].engagement
    return "pgh_obj_id" if path == "" else f"{path}_id"


def _engagement_rows(event_model, tracked_label: str, engagement_ids):
    lookup = _lookup(tracked_label)
    table = event_model._meta.db_table
    previous = (
        f'SELECT row_to_json(_prev)::jsonb FROM "{table}" _prev WHERE _prev.pgh_obj_id = "{table}".pgh_obj_id '
        f'AND _prev.pgh_id < "{table}".pgh_id ORDER BY _prev.pgh_id DESC LIMIT 1'
    )
    return (
        event_model.objects.filter(**{f"{lookup}__in": engagement_ids})
        .annotate(
            audit_model=Value(tracked_label, output_field=models.CharField()),
            audit_engagement=F(lookup),
            audit_object_id=Cast(F("pgh_obj_id"), models.CharField()),
            audit_row=RawSQL(f'row_to_json("{table}")::jsonb', (), output_field=models.JSONField()),
            audit_previous=RawSQL(previous, (), output_field=models.JSONField()),
        )
        .values(
            "audit_model",
            "audit_engagement",
            "pgh_id",
            "pgh_created_at",
            "pgh_label",
            "audit_object_id",
            "pgh_context_id",
            "audit_row",
            "audit_previous",
        )
    )


def _union(engagement_ids):
    parts = [
        _engagement_rows(event_model, label, engagement_ids)
        for label, event_model in event_models()
        if TRACKED[label].engagement is not None
    ]
    return parts[0].union(*parts[1:], all=True)


def _count(engagement_ids) -> int:
    parts = [
        event_model.objects.filter(**{f"{_lookup(label)}__in": engagement_ids}).values("pgh_id")
        for label, event_model in event_models()
        if TRACKED[label].engagement is not None
    ]
    return parts[0].union(*parts[1:], all=True).count()


def _value_in_words(model_field, value, users: dict) -> str:
    if value is None or value == "":
        return "—"
    if model_field is None:
        return str(value)
    if model_field.is_relation:
        if model_field.related_model is get_user_model() and value in users:
            return users[value]
        return f"#{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _fields_by_column(tracked_model) -> dict:
    return {f.attname: f for f in tracked_model._meta.concrete_fields}


def engagement_trail(*, engagement, page: int = 1, page_size: int = PAGE_SIZE) -> Trail:
    """The engagement's trail, newest first, page ``page`` (1-based, clamped to the pages there are)."""
    if not trail_on():
        return Trail(on=False, entries=[], count=0, page=1, pages=1)
    count = _count([engagement.pk])
    pages = max(1, -(-count // page_size))
    page = min(max(1, page), pages)
    newest_first = _union([engagement.pk]).order_by("-pgh_created_at", "-pgh_id")
    rows = list(newest_first[(page - 1) * page_size : page * page_size])
    return Trail(on=True, entries=_entries(rows), count=count, page=page, pages=pages)


def all_engagement_rows(*, engagement, chunk: int = 500):
    """Every entry of the engagement's trail, oldest first, in chunks (the CSV export)."""
    yield from all_rows(engagement_ids=[engagement.pk], chunk=chunk)


def all_rows(*, engagement_ids, chunk: int = 500):
    """Every entry of the trails of ``engagement_ids`` (a client's, for its data export), oldest first, read in
    chunks: one statement per chunk however many engagements."""
    if not trail_on() or not engagement_ids:
        return
    offset = 0
    while True:
        rows = list(_union(engagement_ids).order_by("pgh_created_at", "pgh_id")[offset : offset + chunk])
        if not rows:
            return
        yield from _entries(rows)
        offset += chunk


def _entries(rows) -> list[Entry]:
    contexts = {
        c.id: c.metadata
        for c in Context.objects.filter(id__in={r["pgh_context_id"] for r in rows if r["pgh_context_id"]})
    }
    # The people named: each context's user, and every user column of the rows.
    user_ids = {m.get("user") for m in contexts.values() if m.get("user")}
    user_model = get_user_model()
    user_columns = {}
    for label in {r["audit_model"] for r in rows}:
        tracked = apps.get_model(label)
        user_columns[label] = [
            f.attname for f in tracked._meta.concrete_fields if f.is_relation and f.related_model is user_model
        ]
    for row in rows:
        for column in user_columns[row["audit_model"]]:
            for version in (row["audit_row"], row["audit_previous"]):
                if version and version.get(column):
                    user_ids.add(version[column])
    users = dict(user_model.objects.filter(pk__in=user_ids).values_list("pk", "full_name")) if user_ids else {}
    return [_entry(row, contexts.get(row["pgh_context_id"]) or {}, users) for row in rows]


def _entry(row, context: dict, users: dict) -> Entry:
    tracked = apps.get_model(row["audit_model"])
    by_column = _fields_by_column(tracked)
    data = row["audit_row"] or {}
    previous = row["audit_previous"] or {}
    changes = []
    if row["pgh_label"] == "update" and previous:
        for column, after in data.items():
            if column.startswith("pgh_") or column not in previous or previous[column] == after:
                continue
            model_field = by_column.get(column)
            if model_field is not None and getattr(model_field, "auto_now", False):
                continue
            changes.append(
                Change(
                    field=capfirst(str(model_field.verbose_name)) if model_field is not None else column,
                    before=_value_in_words(model_field, previous[column], users),
                    after=_value_in_words(model_field, after, users),
                )
            )
    summary = ""
    for name in ("title", "name", "text", "description", "full_name", "url", "body"):
        if data.get(name):
            summary = str(data[name])[:120]
            break
    if not summary:  # a team member, a follower: the person the row is about
        for model_field in by_column.values():
            if model_field.is_relation and data.get(model_field.attname) in users:
                summary = users[data[model_field.attname]]
                break
    user_id = context.get("user")
    return Entry(
        at=row["pgh_created_at"],
        model=str(tracked._meta.verbose_name),
        object_id=row["audit_object_id"],
        action=row["pgh_label"],
        action_label=str(LABELS.get(row["pgh_label"], row["pgh_label"])),
        summary=summary,
        changes=changes,
        user=users.get(user_id, f"#{user_id}") if user_id else "",
        address=context.get("address") or "",
        task=context.get("task") or "",
        task_id=context.get("task_id") or "",
        engagement_id=row["audit_engagement"],
    )
