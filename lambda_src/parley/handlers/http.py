"""Shared plumbing for the HTTP API functions: one resolver factory, one error shape, the signed-in
caller, JSON bodies and cursor pagination.

Every error leaves as ``{"error": code, "message": ...}``: AppErrors with the
status from ``errors.STATUS``, unknown routes as 404, malformed JSON as 400, and
anything unexpected as a logged 500 that shows no internals.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from parley.domain import pagination
from parley.domain.validation import USER_ID, parse_json, utf8
from parley.errors import (
    AppError,
    BadRequest,
    MalformedEvent,
    PayloadTooLarge,
    TooManyRequests,
    Unauthorized,
    status_of,
)

MAX_BODY_BYTES = 64 * 1024

logger = Logger(service="parley")


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"error": code, "message": message}),
        headers=headers,
    )


def make_resolver(cors: CORSConfig | None = None) -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(cors=cors)

    @app.exception_handler(AppError)
    def _app_error(error: AppError) -> Response[Any]:
        wait = error.retry_after_seconds if isinstance(error, TooManyRequests) else None
        headers = {"Retry-After": str(wait)} if wait else None
        return error_response(status_of(error), error.code, error.message, headers)

    @app.not_found
    def _not_found(_: Exception) -> Response[Any]:
        return error_response(404, "not_found", "no such route")

    @app.exception_handler(MalformedEvent)
    def _malformed(error: MalformedEvent) -> Response[Any]:
        # A field only API Gateway writes is missing or of the wrong type: a deployment fault, not a client one.
        logger.error("malformed platform event", extra={"field": error.field})
        return error_response(500, "internal", "internal error")

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response[Any]:
        logger.exception("unhandled error", extra={"error_type": type(error).__name__})
        return error_response(500, "internal", "internal error")

    return app


HttpApp = APIGatewayHttpResolver | APIGatewayHttpRouter


def new_router() -> APIGatewayHttpRouter:
    """A Router for one area of an HTTP function's routes."""
    return APIGatewayHttpRouter()  # type: ignore[no-untyped-call]


def caller_id(app: HttpApp) -> str:
    """The signed-in user's id: the ``sub`` the JWT authorizer verified, in the user-id format, or 401.

    No authorizer context is an anonymous caller (401); one of another shape is
    a MalformedEvent (a logged 500): only API Gateway writes it.
    """
    context = app.current_event.raw_event.get("requestContext")
    authorizer = context.get("authorizer") if isinstance(context, dict) else None
    if authorizer is None:
        raise Unauthorized("sign in first")
    jwt = authorizer.get("jwt") if isinstance(authorizer, dict) else None
    claims = jwt.get("claims") if isinstance(jwt, dict) else None
    if not isinstance(claims, dict):
        raise MalformedEvent("requestContext.authorizer")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not USER_ID.fullmatch(sub):
        raise Unauthorized("sign in first")
    return sub


def text_body(app: HttpApp) -> str:
    """The request body as text; a base64-encoded body that does not decode to UTF-8 text is a 400.

    API Gateway base64-encodes bodies it does not take for text; a client can
    send one that is not valid base64 (or whose bytes are not UTF-8) all the same.
    """
    event = app.current_event
    if not event.is_base64_encoded:
        return event.body or ""
    try:
        return base64.b64decode(event.body or "", validate=True).decode()
    except (binascii.Error, ValueError):  # UnicodeDecodeError is a ValueError
        raise BadRequest("body is not base64-encoded UTF-8 text", code="invalid_json") from None


def json_body(app: HttpApp, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The request body as a JSON object, or a 4xx AppError."""
    raw = text_body(app)
    if len(utf8(raw)) > max_bytes:
        raise PayloadTooLarge(f"body over {max_bytes} bytes")
    if not raw.strip():
        raise BadRequest("a JSON object body is required", code="invalid_json")
    value = parse_json(raw)
    if not isinstance(value, dict):
        raise BadRequest("body must be a JSON object", code="invalid_json")
    return value


def optional_json_body(app: HttpApp) -> dict[str, Any]:
    """The JSON object body, or {} when the body is empty."""
    return json_body(app) if text_body(app).strip() else {}


def page_request(app: HttpApp, partition: tuple[str, str], sort_prefix: str) -> tuple[int, dict[str, Any] | None]:
    """(limit, start key) of a paginated GET from ``?limit=`` and ``?cursor=``, or a 400.

    ``partition`` is the (key attribute, value) the query reads, ``sort_prefix``
    the sort-key range: a cursor from anywhere else is ``invalid_cursor``.
    """
    pk_name = partition[0]
    key_names = pagination.PRIMARY_KEYS if pk_name == "PK" else pagination.GSI1_KEYS
    sort_name = "SK" if pk_name == "PK" else "GSI1SK"
    start = pagination.decode(
        app.current_event.get_query_string_value("cursor"), key_names=key_names, partition=partition
    )
    if start is not None and not start[sort_name].startswith(sort_prefix):
        raise BadRequest("cursor is not valid", code="invalid_cursor")
    return pagination.limit(app.current_event.get_query_string_value("limit")), start


def page(items: list[dict[str, Any]], last_key: dict[str, Any] | None) -> dict[str, Any]:
    """A page of a list route: the items and the opaque cursor of the next page (None on the last)."""
    return {"items": items, "next_cursor": pagination.encode(last_key)}
