"""Writing the archive: each section as JSON and CSV, the files rows refer to, and a manifest with counts and
SHA-256 digests. Reads in chunks, so memory stays flat however large the client."""

import dataclasses
import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from attachments.models import Attachment
from audit import selectors as audit_selectors
from exports.csv_files import csv_writer

from .sections import SECRET_FIELD_PARTS, SECTIONS, Section

CHUNK = 2000
MANIFEST_VERSION = 1


def _columns(model, section: Section) -> list:
    return [
        field
        for field in model._meta.concrete_fields
        if field.name not in section.exclude and not any(part in field.name for part in SECRET_FIELD_PARTS)
    ]


def _value(field, obj):
    value = getattr(obj, field.attname)
    if isinstance(value, memoryview | bytes):
        return None  # binary columns have no place in JSON or CSV
    return value


def _csv_cell(value):
    """A column's value as the CSV shows it (the writer, ``exports.csv_files``, keeps formulas text)."""
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return value.isoformat() if hasattr(value, "isoformat") else value


class _Digesting(io.RawIOBase):
    """A write-through wrapper that counts and hashes what goes into one archive member."""

    def __init__(self, raw):
        self.raw, self.digest, self.size = raw, hashlib.sha256(), 0

    def writable(self):
        return True

    def write(self, data):
        self.digest.update(data)
        self.size += len(data)
        return self.raw.write(data)


def _rows(queryset, columns):
    for obj in queryset.iterator(chunk_size=CHUNK):
        yield {field.attname: _value(field, obj) for field in columns}


def _write_section(archive: zipfile.ZipFile, section: Section, organization, attachment_ids: set) -> dict:
    model = apps.get_model(section.model)
    columns = _columns(model, section)
    attachment_fields = [f for f in columns if isinstance(f, models.ForeignKey) and f.related_model is Attachment]
    queryset = model._base_manager.filter(**{section.path: organization.pk}).order_by("pk")
    count = 0
    # One member of a ZIP can be open for writing at a time: the JSON goes straight in, the CSV to a spooled file
    # that follows it (the rows are read once).
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as csv_spool:
        with archive.open(f"data/{section.name}.json", "w") as json_member:
            json_out, csv_out = _Digesting(json_member), _Digesting(csv_spool)
            json_text = io.TextIOWrapper(json_out, encoding="utf-8", newline="")
            csv_text = io.TextIOWrapper(csv_out, encoding="utf-8-sig", newline="")
            writer = csv_writer(csv_text)
            writer.writerow([field.attname for field in columns])
            json_text.write("[\n")
            for row in _rows(queryset, columns):
                if count:
                    json_text.write(",\n")
                json_text.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False))
                writer.writerow([_csv_cell(row[field.attname]) for field in columns])
                for field in attachment_fields:
                    if row[field.attname]:
                        attachment_ids.add(row[field.attname])
                count += 1
            json_text.write("\n]\n")
            json_text.detach()  # flushes; the member itself is closed by the with
            csv_text.detach()
        csv_spool.seek(0)
        with archive.open(f"data/{section.name}.csv", "w") as csv_member:
            shutil.copyfileobj(csv_spool, csv_member, 1024 * 1024)
    return {
        "name": section.name,
        "model": section.model,
        "rows": count,
        "files": {
            f"data/{section.name}.json": {"bytes": json_out.size, "sha256": json_out.digest.hexdigest()},
            f"data/{section.name}.csv": {"bytes": csv_out.size, "sha256": csv_out.digest.hexdigest()},
        },
    }


def _write_trail(archive: zipfile.ZipFile, organization) -> dict:
    """The audit trail of the client's engagements (``audit``), one entry per change with its changed fields; empty
    where the trail is off (SQLite)."""
    engagement_ids = list(organization.engagements.values_list("pk", flat=True))
    entries = [dataclasses.asdict(entry) for entry in audit_selectors.all_rows(engagement_ids=engagement_ids)]
    body = json.dumps(entries, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    archive.writestr("data/audit_trail.json", body)
    text = io.StringIO()
    writer = csv_writer(text)
    columns = ["engagement_id", "at", "model", "object_id", "action", "summary", "field", "before", "after", "user"]
    writer.writerow([*columns, "address", "task", "task_id"])
    for entry in entries:
        for change in entry["changes"] or [{"field": "", "before": "", "after": ""}]:
            row = [entry["engagement_id"], entry["at"], entry["model"], entry["object_id"], entry["action"]]
            row += [entry["summary"], change["field"], change["before"], change["after"], entry["user"]]
            row += [entry["address"], entry["task"], entry["task_id"]]
            writer.writerow([_csv_cell(value) for value in row])
    csv_body = text.getvalue().encode("utf-8-sig")
    archive.writestr("data/audit_trail.csv", csv_body)
    return {
        "name": "audit_trail",
        "model": "audit",
        "rows": len(entries),
        "files": {
            "data/audit_trail.json": {"bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()},
            "data/audit_trail.csv": {"bytes": len(csv_body), "sha256": hashlib.sha256(csv_body).hexdigest()},
        },
    }


def _member_name(attachment) -> str:
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in attachment.original_name)[:120] or "file"
    return f"files/{attachment.pk.hex}-{safe}"


def _write_files(archive: zipfile.ZipFile, attachment_ids: set) -> list[dict]:
    written = []
    for attachment in Attachment.objects.filter(pk__in=attachment_ids).order_by("pk").iterator(chunk_size=500):
        name = _member_name(attachment)
        entry = {
            "path": name,
            "attachment": str(attachment.pk),
            "original_name": attachment.original_name,
            "content_type": attachment.content_type,
            "bytes": attachment.size,
            "sha256": attachment.sha256,
        }
        try:
            with attachment.file.open("rb") as source, archive.open(name, "w") as member:
                for chunk in iter(lambda: source.read(1024 * 1024), b""):
                    member.write(chunk)
        except FileNotFoundError:
            entry["missing"] = True  # said in the manifest, not a failed export
        written.append(entry)
    return written


def write_archive(target, organization, *, requested_by, on_progress: Callable[[int, str], None]) -> None:
    """Write the archive of ``organization`` into the binary file ``target``; ``on_progress(percent, step)``
    is called after each section."""
    attachment_ids: set = set()
    sections = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for n, section in enumerate(SECTIONS, start=1):
            sections.append(_write_section(archive, section, organization, attachment_ids))
            on_progress(int(90 * n / len(SECTIONS)), section.name)
        sections.append(_write_trail(archive, organization))
        files = _write_files(archive, attachment_ids)
        on_progress(95, "files")
        manifest = {
            "format": "onboarding-portal/client-data-export",
            "version": MANIFEST_VERSION,
            "organization": {"id": organization.pk, "name": organization.name, "slug": organization.slug},
            "generated_at": timezone.now().isoformat(),
            "requested_by": {"id": requested_by.pk, "name": requested_by.full_name, "email": requested_by.email},
            "sections": sections,
            "files": files,
            "left_out": "Configuration, the vendor's own staff rotas, credentials and delivery internals; "
            "see client_data/sections.py.",
        }
        archive.writestr("manifest.json", json.dumps(manifest, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
