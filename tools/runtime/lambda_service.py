"""The Lambda Invoke API for functions that invoke functions (``AWS_ENDPOINT_URL_LAMBDA``).

``POST /2015-03-31/functions/{name or ARN}/invocations`` runs the function in
the runtime: ``RequestResponse`` answers with its result (or
``X-Amz-Function-Error: Unhandled``), ``Event`` answers 202 and runs it in the
background, ``DryRun`` answers 204. Every other Lambda call is forwarded to the
emulator.
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.parse

from aiohttp import web

from tools.runtime import log
from tools.runtime.config import function_name
from tools.runtime.proxy import aws_error, forward
from tools.runtime.stack import Stack

_INVOKE = re.compile(r"^/2015-03-31/functions/([^/]+)/invocations/?$")


class LambdaService:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self._background: set[asyncio.Task[None]] = set()

    async def handle(self, request: web.Request, path: str) -> web.Response:
        body = await request.read()
        found = _INVOKE.match(path)
        if request.method != "POST" or not found:
            return await forward(self.stack, request, path, body)
        raw = urllib.parse.unquote(found.group(1))
        name = function_name(raw) or raw
        if name not in self.stack.config.functions:
            return aws_error(404, "ResourceNotFoundException", f"Function not found: {raw}")
        try:
            event = json.loads(body) if body.strip() else {}
        except ValueError:
            return aws_error(400, "InvalidRequestContentException", "Could not parse request body into json")
        kind = request.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        if kind == "DryRun":
            return web.Response(status=204)
        if kind == "Event":
            task = asyncio.create_task(self._run(name, event, kind))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return web.Response(status=202)
        if kind != "RequestResponse":
            return aws_error(400, "InvalidParameterValueException", f"InvocationType {kind} is not valid")
        outcome = await self.stack.invoke(name, event)
        log.invocation(name, "invoke", "ok" if outcome.ok else "error", outcome.duration_ms)
        headers = {"X-Amz-Executed-Version": "$LATEST", "Content-Type": "application/json"}
        if outcome.ok:
            return web.Response(status=200, body=json.dumps(outcome.result), headers=headers)
        return web.Response(
            status=200, body=json.dumps(outcome.error_payload), headers=headers | {"X-Amz-Function-Error": "Unhandled"}
        )

    async def _run(self, name: str, event: object, kind: str) -> None:
        outcome = await self.stack.invoke(name, event)
        if not outcome.ok:
            log.info(f"  {name} | {outcome.error_type}: {outcome.error_message}")
        log.invocation(name, f"invoke ({kind})", "ok" if outcome.ok else "error", outcome.duration_ms)
