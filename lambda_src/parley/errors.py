"""Typed errors raised by domain code, and the one table mapping them to HTTP status codes.

Handlers turn an :class:`AppError` into ``{"error": code, "message": ...}`` with
the status below; anything else is an internal error (logged, never shown).
"""

from __future__ import annotations


class AppError(Exception):
    """A client mistake or a refused action, with a stable machine-readable code."""

    code = "bad_request"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def body(self) -> dict[str, str]:
        return {"error": self.code, "message": self.message}


class BadRequest(AppError):
    code = "bad_request"


class Unauthorized(AppError):
    code = "unauthorized"


class Forbidden(AppError):
    code = "forbidden"


class NotFound(AppError):
    code = "not_found"


class Conflict(AppError):
    code = "conflict"


class PayloadTooLarge(AppError):
    code = "payload_too_large"


class UnsupportedMediaType(AppError):
    code = "unsupported_media_type"


class TooManyRequests(AppError):
    """429; ``retry_after_seconds`` (when known) becomes the answer's ``Retry-After`` header."""

    code = "too_many_requests"

    def __init__(self, message: str, code: str | None = None, retry_after_seconds: int | None = None) -> None:
        super().__init__(message, code)
        self.retry_after_seconds = retry_after_seconds


class MalformedEvent(Exception):
    """A field only the platform writes (API Gateway's connection id, authorizer context) is missing or malformed.

    Not a client mistake: handlers log it and answer a plain 500, once, with no retry.
    """

    def __init__(self, field: str) -> None:
        super().__init__(f"malformed platform event: {field}")
        self.field = field


STATUS: dict[type[AppError], int] = {
    BadRequest: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
    TooManyRequests: 429,
}


def status_of(error: AppError) -> int:
    """HTTP status for an error: the nearest class in the table (400 by default)."""
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400
