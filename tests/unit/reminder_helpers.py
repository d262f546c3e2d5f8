"""Shared pieces of the reminders tests: a recording WebSocket management client and a stub push server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any

from botocore.exceptions import ClientError

from tests.conftest import serving


class RecordingManagementClient:
    """Stands in for the apigatewaymanagementapi client: records frames, answers 410 for ``gone`` ids."""

    def __init__(self, gone: set[str] | None = None) -> None:
        self.gone = gone or set()
        self.posted: list[tuple[str, dict[str, Any]]] = []

    async def post_to_connection(self, ConnectionId: str, Data: bytes) -> dict[str, Any]:
        if ConnectionId in self.gone:
            raise ClientError(
                {"Error": {"Code": "GoneException", "Message": "gone"}, "ResponseMetadata": {"HTTPStatusCode": 410}},
                "PostToConnection",
            )
        self.posted.append((ConnectionId, json.loads(Data)))
        return {}


class PushStub:
    """A local Expo stand-in: answers each message by its token, records every request body and its headers;
    ``.../getReceipts`` answers the receipts it holds."""

    def __init__(self) -> None:
        self.requests: list[list[dict[str, Any]]] = []
        self.receipt_requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.status = 200
        self.errors: dict[str, str] = {}  # token -> Expo error code
        self.request_errors: list[dict[str, str]] = []  # a request-level "errors" answer (with HTTP 200)
        self.receipts: dict[str, dict[str, Any]] = {}  # ticket id -> receipt
        self.url = ""


@contextmanager
def push_server() -> Iterator[PushStub]:
    stub = PushStub()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            stub.headers.append({k.lower(): v for k, v in self.headers.items()})
            receipts = self.path.endswith("/getReceipts")
            (stub.receipt_requests if receipts else stub.requests).append(body)
            if stub.status != 200:
                self.send_response(stub.status)
                self.end_headers()
                return
            answer: dict[str, Any]
            if receipts:
                answer = {"data": {i: stub.receipts[i] for i in body["ids"] if i in stub.receipts}}
            else:
                answer = {"data": [
                    {"status": "error", "message": "x", "details": {"error": stub.errors[m["to"]]}}
                    if m["to"] in stub.errors
                    else {"status": "ok", "id": f"ticket-{len(stub.requests)}-{i}"}
                    for i, m in enumerate(body)
                ]}  # fmt: skip
            if stub.request_errors:
                answer = {"errors": stub.request_errors}
            payload = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    with serving(Handler) as server:
        stub.url = f"http://127.0.0.1:{server.server_port}/--/api/v2/push/send"
        yield stub
