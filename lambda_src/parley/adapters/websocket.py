"""Posting frames to WebSocket connections through the API Gateway management API.

The endpoint is a setting: ``https://{api}.execute-api.{region}.amazonaws.com/{stage}``
on AWS, the emulator's root URL locally (it answers only there).
"""

from __future__ import annotations

import enum
import json
from typing import Any

from botocore.exceptions import ClientError

from parley.adapters import aws


class Delivery(enum.Enum):
    SENT = "sent"
    GONE = "gone"  # 410: the connection no longer exists; delete it
    THROTTLED = "throttled"  # 429: try again later
    FAILED = "failed"


def management_client(endpoint: str) -> Any:
    return aws.client("apigatewaymanagementapi", endpoint)


def post(endpoint: str, connection_id: str, frame: dict[str, Any] | bytes) -> Delivery:
    """Send one frame to one connection; never raises for a per-connection failure."""
    data = frame if isinstance(frame, bytes) else json.dumps(frame, separators=(",", ":")).encode()
    try:
        management_client(endpoint).post_to_connection(ConnectionId=connection_id, Data=data)
    except ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = exc.response.get("Error", {}).get("Code", "")
        if status == 410 or code == "GoneException":
            return Delivery.GONE
        if status == 429 or code in {"LimitExceededException", "TooManyRequestsException", "ThrottlingException"}:
            return Delivery.THROTTLED
        return Delivery.FAILED
    return Delivery.SENT
