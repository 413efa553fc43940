"""Fan-out rows written set-based from typed rows: for a caller that works out who must be told of what for thousands of
events at once (the escalation sweep) and has no ``NotifyRequest`` objects to spare.

The caller fills a ``FanoutRows`` (one row per event: its event, context, link, target and recipients; the category,
template and channels shared) and ``fanout_rows_write`` writes them in ONE statement on PostgreSQL (``INSERT ...
SELECT FROM unnest(...)``, whatever the number), ``ON CONFLICT (event) DO NOTHING`` as ``fanout.fanout_write``; the
relay expands them as any other fan-out row. Only this module knows the table's columns. Contexts travel as JSON
text: a caller whose rows share most of their context encodes that part once (``FanoutRows.encode``) and adds each
row's own words to it (``FanoutRows.words``, ``with_words``), far cheaper than encoding every row's dict.
"""

import json
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii as _quote

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from ..bulk import execute_bound
from ..models import FanoutStatus, NotificationFanout
from .entries import NotifyRequest
from .kick import relay_kick_on_commit

_encoder = NotificationFanout._meta.get_field("context").encoder()


@dataclass
class FanoutRows:
    """Fan-out rows as columns: ``add`` one row per event. ``target`` is the model the rows are about (each row
    names its ``target_id``), or ``None``."""

    category: str
    template: str
    target: type | None = None
    channels: tuple = NotifyRequest.channels
    events: list[str] = field(default_factory=list)
    contexts: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    target_ids: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)

    @staticmethod
    def encode(context: dict) -> str:
        """A context as the fan-out table stores it (dates and times as notifications revives them)."""
        return _encoder.encode(context)

    @staticmethod
    def words(**words: str) -> str:
        """``words`` (plain strings) as a JSON object for ``with_words``, quoted by ``json``'s C quoting: a sweep
        adds a flag's words to each of its rows."""
        return "{" + ", ".join([f"{_quote(name)}: {_quote(value)}" for name, value in words.items()]) + "}"

    @staticmethod
    def with_words(encoded: str, words: str) -> str:
        """``encoded`` (a JSON object from ``encode``) with ``words`` (from ``words``) added. A key already in
        ``encoded`` is overridden (the last of a JSON object's equal keys wins)."""
        if words == "{}":
            return encoded
        if encoded == "{}":
            return words
        return f"{encoded[:-1]}, {words[1:]}"

    @staticmethod
    def encode_recipients(ids) -> str:
        """User ids as ``add`` takes them, encoded once where many rows tell the same people."""
        return "[" + ",".join(map(str, map(int, dict.fromkeys(ids)))) + "]"

    def add(self, *, event: str, context: str, url: str, recipient_ids, target_id="") -> None:
        """One row: ``context`` as ``encode`` gives it, ``recipient_ids`` user ids (told in that order), or as
        ``encode_recipients`` gives them."""
        self.add_columns(
            events=[event], contexts=[context], urls=[url], recipients=[recipient_ids], targets=[target_id]
        )

    def add_columns(self, *, events, contexts, urls, recipients, targets) -> None:
        """Many rows at once, a list per column (as ``add`` takes each value)."""
        encode = FanoutRows.encode_recipients
        self.events += events
        self.contexts += contexts
        self.urls += urls
        self.target_ids += [str(pk) for pk in targets] if self.target is not None else [""] * len(events)
        self.recipients += [ids if isinstance(ids, str) else encode(ids) for ids in recipients]

    def __len__(self) -> int:
        return len(self.events)


def fanout_rows_write(rows: FanoutRows, *, now) -> int:
    """Write ``rows`` (in the caller's transaction); returns how many were new. An event written already (a racing
    sweep) is skipped."""
    if not rows:
        return 0
    target_type = ContentType.objects.get_for_model(rows.target).pk if rows.target is not None else None
    channels = json.dumps([str(channel) for channel in rows.channels])
    if connection.vendor == "postgresql":
        new = execute_bound(
            f"WITH written AS (INSERT INTO {NotificationFanout._meta.db_table} (event, category, template, language,"
            " context, url, target_type_id, target_id, recipient_ids, emails, channels, force_immediate, status,"
            " created_at, next_attempt_at, attempts, last_error) SELECT v.event, %s::text, %s::text, '',"
            " v.context::jsonb, v.url, %s::int, v.target_id, v.recipients::jsonb, '[]'::jsonb, %s::jsonb, false,"
            " %s::text, %s::timestamptz, %s::timestamptz, 0, ''"
            " FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], %b::text[])"
            " AS v(event, context, url, target_id, recipients) ON CONFLICT (event) DO NOTHING RETURNING 1)"
            " SELECT count(*) FROM written",
            [
                rows.category,
                rows.template,
                target_type,
                channels,
                str(FanoutStatus.PENDING),
                now,
                now,
                rows.events,
                rows.contexts,
                rows.urls,
                rows.target_ids,
                rows.recipients,
            ],
            fetch=True,
        )[0][0]
    else:  # SQLite (development only): one process, so what does not exist yet is what this call writes
        existing = set(NotificationFanout.objects.filter(event__in=rows.events).values_list("event", flat=True))
        fresh = [
            NotificationFanout(
                event=event,
                category=rows.category,
                template=rows.template,
                context=json.loads(context),
                url=url,
                target_type_id=target_type,
                target_id=target_id,
                recipient_ids=json.loads(recipients),
                emails=[],
                channels=json.loads(channels),
                created_at=now,
                next_attempt_at=now,
            )
            for event, context, url, target_id, recipients in zip(
                rows.events, rows.contexts, rows.urls, rows.target_ids, rows.recipients, strict=True
            )
            if event not in existing
        ]
        NotificationFanout.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=500)
        new = len(fresh)
    if new:
        relay_kick_on_commit()
    return new
