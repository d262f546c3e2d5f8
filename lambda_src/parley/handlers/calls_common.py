"""What the call functions' HTTP routes share: the signed-in caller and an optional JSON body."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from parley.errors import Unauthorized
from parley.handlers.http import json_body, text_body


def caller_id(app: APIGatewayHttpResolver) -> str:
    """The user id (``sub``) the JWT authorizer verified, or 401."""
    claims = app.current_event.request_context.authorizer.jwt_claim or {}
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise Unauthorized("sign in first", code="unauthorized")
    return sub


def optional_json_body(app: APIGatewayHttpResolver) -> dict[str, Any]:
    """The JSON object body, or {} when the body is empty."""
    return json_body(app) if text_body(app).strip() else {}
