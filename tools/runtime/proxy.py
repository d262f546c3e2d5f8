"""Forwarding AWS API calls that the runtime does not answer itself to the emulator, and AWS-style errors."""

from __future__ import annotations

import json

from aiohttp import web

from tools.runtime.stack import Stack

_HOP_BY_HOP = {
    "host", "content-length", "transfer-encoding", "connection", "keep-alive", "expect", "upgrade",
    "proxy-authorization", "te", "trailer",
}  # fmt: skip
AMZ_JSON = "application/x-amz-json-1.1"


async def forward(stack: Stack, request: web.Request, path: str, body: bytes) -> web.Response:
    """Send the request on to the emulator at ``path`` and answer with what it answered."""
    url = stack.emulator + (path or "/") + (f"?{request.query_string}" if request.query_string else "")
    headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
    async with stack.session.request(request.method, url, headers=headers, data=body) as response:
        payload = await response.read()
        answer_headers = {k: v for k, v in response.headers.items() if k.lower() not in _HOP_BY_HOP}
        return web.Response(status=response.status, body=payload, headers=answer_headers)


def aws_error(status: int, code: str, message: str) -> web.Response:
    """An error as AWS JSON APIs send it (botocore reads the code from the header or ``__type``)."""
    return web.Response(
        status=status,
        body=json.dumps({"__type": code, "message": message}),
        headers={"Content-Type": AMZ_JSON, "x-amzn-ErrorType": code},
    )


def aws_json(document: object, status: int = 200) -> web.Response:
    return web.Response(status=status, body=json.dumps(document), headers={"Content-Type": AMZ_JSON})
