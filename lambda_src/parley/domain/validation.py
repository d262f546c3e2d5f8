"""Request validation: a small declarative schema for JSON objects.

Every failure is a :class:`BadRequest` (or :class:`PayloadTooLarge` for sizes)
naming the field, so a handler never reaches storage with malformed input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from parley.errors import BadRequest, NotFound

ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
USER_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")  # a Cognito sub (a UUID) or a test user name


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
        if field.choices is not None and value not in field.choices:
            raise BadRequest(f"{name} must be one of {', '.join(sorted(field.choices))}", code="invalid_field")
        if field.pattern is not None and not field.pattern.fullmatch(value):
            raise BadRequest(f"{name} has an invalid format", code="invalid_field")
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
