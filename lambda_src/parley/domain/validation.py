"""Request validation: the one JSON decoder of client input and a small declarative schema for JSON objects.

Every failure is a :class:`BadRequest` (or :class:`PayloadTooLarge` for sizes)
naming the field, so a handler never reaches storage with malformed input:
parsing here raises nothing but the project's typed errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from parley.errors import BadRequest, NotFound

ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
USER_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")  # a Cognito sub (a UUID) or a test user name
MAX_JSON_DEPTH = 32  # objects and lists nested deeper are refused (no client format needs more than 3)
MAX_INT_DIGITS = 18  # numeric query parameters: ASCII digits only, at most this many


def parse_json(raw: str | bytes, what: str = "body") -> Any:
    """A JSON document from a client, or BadRequest ``invalid_json``.

    Besides malformed JSON this refuses what the decoder accepts but nothing
    downstream can use: nesting deeper than MAX_JSON_DEPTH (the decoder would
    hit Python's recursion limit first on very deep input) and lone UTF-16
    surrogates such as ``"\\ud800"`` in any key or string, which the table
    refuses to store.
    """
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRequest(f"{what} is not valid JSON", code="invalid_json") from None
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if not is_text(node):
                raise BadRequest(f"{what} contains a lone surrogate (not Unicode text)", code="invalid_json")
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise BadRequest(f"{what} is nested deeper than {MAX_JSON_DEPTH} levels", code="invalid_json")
        children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children)
    return value


def is_text(value: str) -> bool:
    """Whether ``value`` is Unicode text that encodes to UTF-8 (no lone surrogates)."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def utf8(text: str, what: str = "body") -> bytes:
    """``text`` as UTF-8 bytes, or BadRequest ``invalid_json`` when it holds a lone surrogate."""
    if not is_text(text):
        raise BadRequest(f"{what} is not Unicode text", code="invalid_json")
    return text.encode()


def ascii_int(raw: str, what: str, code: str, minimum: int, maximum: int) -> int:
    """A bounded integer written in ASCII digits (no sign, no other script's digits, not absurdly long)."""
    if not (0 < len(raw) <= MAX_INT_DIGITS and raw.isascii() and raw.isdigit()) or not minimum <= int(raw) <= maximum:
        raise BadRequest(f"{what} must be an integer between {minimum} and {maximum}", code=code)
    return int(raw)


@dataclass(frozen=True)
class Field:
    """One field of a JSON object: its type, whether it is required and its limits."""

    kind: type
    required: bool = True
    max_length: int | None = None
    min_length: int = 0
    choices: frozenset[str] | None = None
    pattern: re.Pattern[str] | None = None
    minimum: int | None = None
    maximum: int | None = None
    nonblank: bool = False  # a string of only whitespace is refused
    check: Callable[[str], bool] | None = None  # a last rule for strings (e.g. zones.is_time_zone)
    check_hint: str = "has an invalid value"  # what the refusal says after the field's name


def _check(name: str, value: Any, field: Field) -> Any:
    # bool is an int in Python; JSON true is never a number here.
    if field.kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise BadRequest(f"{name} must be an integer", code="invalid_field")
    if field.kind is not int and not isinstance(value, field.kind):
        raise BadRequest(f"{name} must be a {_kind_name(field.kind)}", code="invalid_field")
    if isinstance(value, str):
        if len(value) < field.min_length:
            raise BadRequest(f"{name} must be at least {field.min_length} characters", code="invalid_field")
        if field.max_length is not None and len(value) > field.max_length:
            raise BadRequest(f"{name} must be at most {field.max_length} characters", code="invalid_field")
        if field.nonblank and not value.strip():
            raise BadRequest(f"{name} must not be blank", code="invalid_field")
        if any(ord(ch) < 32 and ch not in "\n\t" for ch in value):
            raise BadRequest(f"{name} contains control characters", code="invalid_field")
        if not is_text(value):
            raise BadRequest(f"{name} contains a lone surrogate", code="invalid_field")
        if field.choices is not None and value not in field.choices:
            raise BadRequest(f"{name} must be one of {', '.join(sorted(field.choices))}", code="invalid_field")
        if field.pattern is not None and not field.pattern.fullmatch(value):
            raise BadRequest(f"{name} has an invalid format", code="invalid_field")
        if field.check is not None and not field.check(value):
            raise BadRequest(f"{name} {field.check_hint}", code="invalid_field")
    if isinstance(value, int) and not isinstance(value, bool):
        if field.minimum is not None and value < field.minimum:
            raise BadRequest(f"{name} must be >= {field.minimum}", code="invalid_field")
        if field.maximum is not None and value > field.maximum:
            raise BadRequest(f"{name} must be <= {field.maximum}", code="invalid_field")
    return value


def _kind_name(kind: type) -> str:
    return {str: "string", bool: "boolean", int: "integer", dict: "object", list: "list"}.get(kind, kind.__name__)


def validate(body: dict[str, Any], schema: dict[str, Field], *, partial: bool = False) -> dict[str, Any]:
    """The fields of ``body`` checked against ``schema``; unknown fields are refused.

    ``partial`` (PATCH) makes every field optional but requires at least one.
    """
    unknown = sorted(set(body) - set(schema))
    if unknown:
        raise BadRequest(f"unknown field(s): {', '.join(unknown)}", code="unknown_field")
    result: dict[str, Any] = {}
    for name, field in schema.items():
        if name not in body or body[name] is None:
            if field.required and not partial:
                raise BadRequest(f"{name} is required", code="missing_field")
            continue
        result[name] = _check(name, body[name], field)
    if partial and not result:
        raise BadRequest("no field to change", code="missing_field")
    return result


def path_id(value: str, what: str = "resource") -> str:
    """An id taken from the path; anything malformed is simply not found."""
    if not ID_PATTERN.fullmatch(value):
        raise NotFound(f"no such {what}")
    return value


def plain(value: Any) -> Any:
    """DynamoDB values as JSON-friendly Python: Decimals become int or float, sets lists."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    return value


KEY_ATTRIBUTES = frozenset({"PK", "SK", "GSI1PK", "GSI1SK", "TTL"})


def public_item(item: dict[str, Any], hide: frozenset[str] = frozenset()) -> dict[str, Any]:
    """An item without its table keys (and without ``hide``), JSON-friendly."""
    return {k: plain(v) for k, v in item.items() if k not in KEY_ATTRIBUTES and k not in hide}
