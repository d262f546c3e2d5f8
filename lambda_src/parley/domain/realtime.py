"""The WebSocket frame protocol: parsing and validating client frames (no events, no AWS).

A client frame is a JSON object ``{"action": ..., ...}``. Every rule here raises
an :class:`~parley.errors.AppError` whose ``code`` is what the client sees in its
``{"type": "error", "error": code}`` frame.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from parley.domain.files import upload_key_of
from parley.domain.validation import ID_PATTERN, parse_json, utf8
from parley.errors import BadRequest, NotFound, PayloadTooLarge

MAX_FRAME_BYTES = 100 * 1024  # below API Gateway's 128 KB message limit
MAX_TEXT_CHARS = 4000
MAX_RELAY_DATA_BYTES = 96 * 1024  # the base64 text of one relay payload
MAX_REF_CHARS = 64
MAX_ATTACHMENTS = 4

# Message types: clients send text, image and file messages; system messages come from the server only.
MESSAGE_TYPES = ("text", "image", "file", "system")
CLIENT_MESSAGE_TYPES = frozenset({"text", "image", "file"})

ROOM_ACTIONS = frozenset({"join", "leave", "send", "typing"})
RELAY_ACTIONS = frozenset({"relay.open", "relay.join", "relay.send"})
ACTIONS = ROOM_ACTIONS | RELAY_ACTIONS | {"ping"}

# Pairing codes: 8 characters without look-alikes (no 0/O, 1/I/L), about 40 bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8

_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


@dataclass(frozen=True)
class Frame:
    """A parsed client frame: its action, its fields and the client's optional ``ref``."""

    action: str
    fields: dict[str, Any]
    ref: str | None = None


def parse_frame(body: str | bytes | None, max_bytes: int = MAX_FRAME_BYTES) -> Frame:
    """A client frame, or an AppError (frame_too_large, invalid_json, missing_field, unknown_action)."""
    raw = utf8(body, "the frame") if isinstance(body, str) else (body or b"")
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"frames are limited to {max_bytes} bytes", code="frame_too_large")
    value = parse_json(raw, "the frame") if raw.strip() else None
    if not isinstance(value, dict):
        raise BadRequest("a frame is a JSON object", code="invalid_json")
    ref = value.get("ref")
    if ref is not None and not (isinstance(ref, str) and 0 < len(ref) <= MAX_REF_CHARS):
        raise BadRequest(f"ref must be a string of 1-{MAX_REF_CHARS} characters", code="invalid_field")
    action = value.get("action")
    if action is None:
        raise BadRequest("the frame has no action", code="missing_field")
    if not isinstance(action, str) or action not in ACTIONS:
        raise BadRequest("unknown action", code="unknown_action")
    return Frame(action=action, fields=value, ref=ref)


def _field(frame: Frame, name: str) -> Any:
    if name not in frame.fields or frame.fields[name] is None:
        raise BadRequest(f"{frame.action} needs '{name}'", code="missing_field")
    return frame.fields[name]


def identifier(frame: Frame, name: str) -> str:
    """A room or relay id: 1-64 letters, digits, '-' or '_'."""
    value = _field(frame, name)
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise BadRequest(f"'{name}' must be 1-64 letters, digits, '-' or '_'", code="invalid_field")
    return value


def text(frame: Frame, name: str = "text") -> str:
    """A chat message text: 1-4000 characters, not only whitespace."""
    value = _field(frame, name)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT_CHARS:
        raise BadRequest(f"'{name}' must be 1-{MAX_TEXT_CHARS} characters", code="invalid_field")
    return value


@dataclass(frozen=True)
class MessageContent:
    """What a ``send`` frame says: its type, its text ('' for an attachment without caption) and upload keys."""

    type: str
    text: str
    attachments: tuple[str, ...]


def message_content(frame: Frame, user_id: str) -> MessageContent:
    """The type, text and attachments of a ``send`` frame.

    ``type`` is ``text`` (the default: ``text`` required), ``image`` or ``file`` (at least one attachment, the
    text an optional caption); at most 4 attachments, each a key of one of the sender's uploads.
    """
    kind = frame.fields.get("type", "text")
    if not isinstance(kind, str) or kind not in CLIENT_MESSAGE_TYPES:
        allowed = ", ".join(t for t in MESSAGE_TYPES if t in CLIENT_MESSAGE_TYPES)
        raise BadRequest(
            f"'type' must be one of {allowed} (system messages come from the server)", code="invalid_field"
        )
    raw = frame.fields.get("attachments")
    if raw is None:
        raw = []
    if not isinstance(raw, list) or len(raw) > MAX_ATTACHMENTS:
        raise BadRequest(f"'attachments' must be a list of at most {MAX_ATTACHMENTS} upload keys", code="invalid_field")
    keys = tuple(upload_key_of(value, user_id, f"attachments[{i}]") for i, value in enumerate(raw))
    if len(set(keys)) != len(keys):
        raise BadRequest("'attachments' lists an upload twice", code="invalid_field")
    body = text(frame) if kind == "text" or frame.fields.get("text") is not None else ""
    if kind != "text" and not keys:
        raise BadRequest(f"a {kind} message needs at least one attachment", code="missing_field")
    return MessageContent(type=kind, text=body, attachments=keys)


def pairing_code(frame: Frame, name: str = "code") -> str:
    """A relay pairing code as typed by a person: case, spaces and dashes are ignored."""
    value = _field(frame, name)
    if not isinstance(value, str):
        raise BadRequest(f"'{name}' must be a string", code="invalid_field")
    code = re.sub(r"[\s-]", "", value).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise BadRequest(f"'{name}' must be a {CODE_LENGTH}-character pairing code", code="invalid_field")
    return code


def relay_data(frame: Frame, name: str = "data", max_bytes: int = MAX_RELAY_DATA_BYTES) -> str:
    """An opaque base64 ciphertext of at most ``max_bytes`` characters, kept as sent."""
    value = _field(frame, name)
    if not isinstance(value, str) or not value:
        raise BadRequest(f"'{name}' must be a base64 string", code="invalid_field")
    if len(value) > max_bytes:
        raise PayloadTooLarge(f"'{name}' is limited to {max_bytes} bytes")
    # The alphabet, at most two '=' at the end, and a length in whole quads: exactly what decodes as standard
    # base64 (tests/unit/test_realtime_frames.py compares it with the decoder on every short string).
    if len(value) % 4 or not _BASE64.fullmatch(value):
        raise BadRequest(f"'{name}' must be standard base64", code="invalid_field")
    return value


def new_pairing_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """``ABCD2345`` -> ``ABCD-2345``, the way the code is shown to a person."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def unknown_connection() -> NotFound:
    """The connection is not (or no longer) registered: the client should reconnect."""
    return NotFound("this connection is not registered", code="unknown_connection")


def error_frame(code: str, message: str, ref: str | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "error": code, "message": message}
    if ref is not None:
        frame["ref"] = ref
    return frame
