"""Uploads (what may be uploaded, and where) and the CSV export of a user's data."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from parley.domain.validation import Field, public_item, validate
from parley.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

UPLOAD_URL_SECONDS = 300
# How long the read URL of a message's attachment works (a reader who needs it later reads the history again).
ATTACHMENT_URL_SECONDS = 600
# The accepted upload types; a read URL shows the images (inline) and offers every other type as a download.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
CONTENT_TYPES = INLINE_TYPES | {"audio/mpeg", "audio/ogg", "video/mp4", "application/pdf", "text/plain"}
FILENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._()-]{0,127}")
UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
MAX_KEY_CHARS = 512

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


def is_upload_key(value: Any, user_id: str) -> bool:
    """Whether ``value`` is a key ``upload_request`` gives ``user_id`` (``users/{user}/{upload id}/{file name}``).

    Checked segment by segment, so ``..``, ``.``, empty segments and another user's prefix never pass.
    """
    if not isinstance(value, str) or len(value) > MAX_KEY_CHARS:
        return False
    segments = value.split("/")
    return (
        len(segments) == 4
        and segments[:2] == ["users", user_id]
        and UPLOAD_ID.fullmatch(segments[2]) is not None
        and ".." not in segments[3]
        and FILENAME.fullmatch(segments[3]) is not None
    )


def upload_key_of(value: Any, user_id: str, name: str) -> str:
    """``value`` if it is one of ``user_id``'s upload keys (``is_upload_key``), else a 400 naming ``name``."""
    if not is_upload_key(value, user_id):
        raise BadRequest(f"{name} must be one of your upload keys (users/{user_id}/...)", code="invalid_field")
    return str(value)


@dataclass(frozen=True)
class Download:
    """What a read URL of an attachment is signed for: the object and the response headers it forces."""

    key: str
    content_type: str
    content_disposition: str


def attachment_download(attachment: Any, sender_id: str) -> Download | None:
    """The read URL a member may get for a stored attachment, or None when it gets none.

    Only an attachment as ``send`` stores it (``{"key", "size_bytes", "content_type"}``) whose key is one of the
    sender's uploads gets one. The response type is the type the upload was signed for: the images of
    ``INLINE_TYPES`` are shown (``inline``); any other type is a download (``attachment``), and a type the uploads
    never accept is served as ``application/octet-stream``.
    """
    if not isinstance(attachment, dict) or not is_upload_key(attachment.get("key"), sender_id):
        return None
    key = str(attachment["key"])
    name = key.rsplit("/", 1)[1]  # a FILENAME: no quote, backslash or control character to escape
    content_type = str(attachment.get("content_type"))
    if content_type not in CONTENT_TYPES:
        content_type = "application/octet-stream"
    disposition = "inline" if content_type in INLINE_TYPES else "attachment"
    return Download(key, content_type, f'{disposition}; filename="{name}"')


def check_uploaded(name: str, found: tuple[int, str] | None, max_bytes: int) -> tuple[int, str]:
    """The (size, content type) of an upload that exists and is at most ``max_bytes``, else a 4xx."""
    if found is None:
        raise BadRequest(f"{name} names no uploaded object: upload it first", code="upload_not_found")
    if found[0] > max_bytes:
        raise PayloadTooLarge(f"{name} is larger than {max_bytes} bytes", code="upload_too_large")
    return found


EXPORT_COLUMNS = ("record_type", "id", "created_at", "details")
EXPORT_INLINE_MAX_BYTES = 256 * 1024
# A record's id is its own ``<record_type>_id`` (a notification's notification_id, not the reminder_id it
# also carries), else the first of these (a call's session_id, a profile's id).
ID_FIELDS = ("id", "session_id", "user_id")
TIME_FIELDS = ("created_at", "started_at", "registered_at", "joined_at")
# What a spreadsheet runs as a formula (OWASP "CSV injection"): a cell starting with one of these.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def write_export(out: IO[str], records: Iterable[tuple[str, dict[str, Any]]]) -> int:
    """Write (record_type, item) pairs as CSV rows to ``out``; returns the number of rows.

    Text is written as text (UTF-8, no ``\\u`` escapes) and no cell can start a formula.
    """
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180: a cell holding a CR is quoted too
    writer.writerow(EXPORT_COLUMNS)
    rows = 0
    for record_type, item in records:
        data = public_item(item)
        id_fields = (f"{record_type}_id", *ID_FIELDS)
        ident = next((str(data.pop(k)) for k in id_fields if k in data), "")
        created = next((str(data.pop(k)) for k in TIME_FIELDS if k in data), "")
        details = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
        writer.writerow([safe_cell(cell) for cell in (record_type, ident, created, details)])
        rows += 1
    return rows


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting a formula (= + - @, tab, CR) gets a leading '."""
    return "'" + value if value.startswith(FORMULA_LEADS) else value
