"""Shared plumbing for the HTTP API functions: one resolver factory, one error shape, the signed-in
caller, JSON bodies and cursor pagination.

Every error leaves as ``{"error": code, "message": ...}``: AppErrors with the
status from ``errors.STATUS``, unknown routes as 404, malformed JSON as 400, and
anything unexpected as a logged 500 that shows no internals.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from parley.domain import pagination
from parley.domain.validation import USER_ID
from parley.errors import AppError, BadRequest, PayloadTooLarge, Unauthorized, status_of

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


HttpApp = APIGatewayHttpResolver | APIGatewayHttpRouter


def new_router() -> APIGatewayHttpRouter:
    """A Router for one area of an HTTP function's routes."""
    return APIGatewayHttpRouter()  # type: ignore[no-untyped-call]


def caller_id(app: HttpApp) -> str:
    """The signed-in user's id: the ``sub`` the JWT authorizer verified, in the user-id format, or 401."""
    authorizer = app.current_event.request_context.authorizer
    claims = (authorizer.jwt_claim if authorizer else None) or {}
    sub = claims.get("sub")
    if not isinstance(sub, str) or not USER_ID.fullmatch(sub):
        raise Unauthorized("sign in first")
    return sub


def text_body(app: HttpApp) -> str:
    """The request body as text; a body that is not UTF-8 (API Gateway sends it base64-encoded) is a 400."""
    try:
        return app.current_event.decoded_body or ""
    except UnicodeDecodeError:
        raise BadRequest("body is not UTF-8 text", code="invalid_json") from None


def json_body(app: HttpApp, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
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
