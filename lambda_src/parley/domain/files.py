"""Uploads (what may be uploaded, and where) and the CSV export of a user's data."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from typing import IO, Any

from parley.domain.validation import Field, public_item, validate
from parley.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

UPLOAD_URL_SECONDS = 300
CONTENT_TYPES = frozenset(
    {
        "image/png", "image/jpeg", "image/gif", "image/webp",
        "audio/mpeg", "audio/ogg", "video/mp4", "application/pdf", "text/plain",
    }
)  # fmt: skip
FILENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._()-]{0,127}")

UPLOAD_FIELDS = {
    "filename": Field(str, min_length=1, max_length=128),
    "content_type": Field(str, max_length=100),
    "size_bytes": Field(int, minimum=1),
}


def upload_request(body: dict[str, Any], user_id: str, upload_id: str, max_bytes: int) -> dict[str, Any]:
    """Validated upload: the object key under ``users/{user}/`` and the exact type and size to sign."""
    fields = validate(body, UPLOAD_FIELDS)
    name = fields["filename"]
    if "/" in name or "\\" in name or ".." in name or not FILENAME.fullmatch(name):
        raise BadRequest(
            "filename must be a plain file name (letters, digits, space, '.', '_', '-', '(', ')')",
            code="invalid_filename",
        )
    if fields["content_type"] not in CONTENT_TYPES:
        raise UnsupportedMediaType(f"content_type must be one of {', '.join(sorted(CONTENT_TYPES))}")
    if fields["size_bytes"] > max_bytes:
        raise PayloadTooLarge(f"size_bytes must be at most {max_bytes}")
    return {
        "key": f"users/{user_id}/{upload_id}/{name}",
        "content_type": fields["content_type"],
        "size_bytes": fields["size_bytes"],
    }


EXPORT_COLUMNS = ("record_type", "id", "created_at", "details")
EXPORT_INLINE_MAX_BYTES = 256 * 1024
ID_FIELDS = ("id", "reminder_id", "notification_id", "device_id", "room_id")
TIME_FIELDS = ("created_at", "registered_at", "joined_at")


def write_export(out: IO[str], records: Iterable[tuple[str, dict[str, Any]]]) -> int:
    """Write (record_type, item) pairs as CSV rows to ``out``; returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    rows = 0
    for record_type, item in records:
        data = public_item(item)
        ident = next((str(data.pop(k)) for k in ID_FIELDS if k in data), "")
        created = next((str(data.pop(k)) for k in TIME_FIELDS if k in data), "")
        details = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
        writer.writerow([record_type, *(_safe_cell(cell) for cell in (ident, created, details))])
        rows += 1
    return rows


def _safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: those starting with = + - @ would run as formulas, so they get a '."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
