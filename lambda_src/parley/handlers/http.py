"""Shared plumbing for the HTTP API functions: one resolver factory, one error shape.

Every error leaves as ``{"error": code, "message": ...}``: AppErrors with the
status from ``errors.STATUS``, unknown routes as 404, malformed JSON as 400, and
anything unexpected as a logged 500 that shows no internals.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, CORSConfig, Response, content_types

from parley.errors import AppError, BadRequest, PayloadTooLarge, status_of

MAX_BODY_BYTES = 64 * 1024

logger = Logger(service="parley")


def error_response(status: int, code: str, message: str) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"error": code, "message": message}),
    )


def make_resolver(cors: CORSConfig | None = None) -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(cors=cors)

    @app.exception_handler(AppError)
    def _app_error(error: AppError) -> Response[Any]:
        return error_response(status_of(error), error.code, error.message)

    @app.not_found
    def _not_found(_: Exception) -> Response[Any]:
        return error_response(404, "not_found", "no such route")

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response[Any]:
        logger.exception("unhandled error", extra={"error_type": type(error).__name__})
        return error_response(500, "internal", "internal error")

    return app


def text_body(app: APIGatewayHttpResolver) -> str:
    """The request body as text; a body that is not UTF-8 (API Gateway sends it base64-encoded) is a 400."""
    try:
        return app.current_event.decoded_body or ""
    except UnicodeDecodeError:
        raise BadRequest("body is not UTF-8 text", code="invalid_json") from None


def json_body(app: APIGatewayHttpResolver, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The request body as a JSON object, or a 4xx AppError."""
    raw = text_body(app)
    if len(raw.encode()) > max_bytes:
        raise PayloadTooLarge(f"body over {max_bytes} bytes")
    if not raw.strip():
        raise BadRequest("a JSON object body is required", code="invalid_json")
    try:
        value = json.loads(raw)
    except ValueError:
        raise BadRequest("body is not valid JSON", code="invalid_json") from None
    if not isinstance(value, dict):
        raise BadRequest("body must be a JSON object", code="invalid_json")
    return value
