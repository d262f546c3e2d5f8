"""Opaque cursors over DynamoDB queries.

A cursor is the query's LastEvaluatedKey, base64url-encoded JSON. Decoding
checks it has exactly the keys of the queried index and that it stays inside
the partition being read, so a forged cursor cannot read someone else's data
and a mangled one is a 400, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from parley.domain.validation import ascii_int, parse_json
from parley.errors import BadRequest

Page = tuple[list[dict[str, Any]], dict[str, Any] | None]  # items, the key the next page starts after

DEFAULT_LIMIT = 20
PRIMARY_KEYS = frozenset({"PK", "SK"})
GSI1_KEYS = frozenset({"PK", "SK", "GSI1PK", "GSI1SK"})
MAX_LIMIT = 100
MAX_CURSOR_CHARS = 1024


def encode(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    raw = json.dumps({k: str(v) for k, v in sorted(last_key.items())}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, *, key_names: frozenset[str], partition: tuple[str, str]) -> dict[str, str] | None:
    """The ExclusiveStartKey for ``cursor``; ``partition`` is (attribute, expected value)."""
    if cursor is None or cursor == "":
        return None
    if len(cursor) > MAX_CURSOR_CHARS:
        raise BadRequest("cursor is too long", code="invalid_cursor")
    try:
        value = parse_json(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)), "cursor")
    except (binascii.Error, ValueError, BadRequest):
        raise BadRequest("cursor is not valid", code="invalid_cursor") from None
    if (
        not isinstance(value, dict)
        or set(value) != key_names
        or not all(isinstance(v, str) and v for v in value.values())
        or value.get(partition[0]) != partition[1]
    ):
        raise BadRequest("cursor is not valid", code="invalid_cursor")
    return value


def limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    return ascii_int(raw, "limit", "invalid_limit", 1, MAX_LIMIT)
