"""One function's worker process: imports its handler and runs invocations, one at a time.

    python -m tools.runtime.worker   (started by tools/runtime/functions.py)

The environment is the function's (deployed variables plus what the Lambda
service sets); ``_HANDLER`` names the handler and ``LAMBDA_TASK_ROOT`` the code
folder. Requests arrive on stdin and answers leave on the original stdout, one
JSON line each (the first line says the handler is imported); everything the
function prints or logs goes to stderr, which the runtime copies into its log.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any, BinaryIO


class Context:
    """What Lambda passes as ``context``: names, request id and the time left before the timeout."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = str(request["function_arn"])
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.aws_request_id = str(request["request_id"])
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline_ms = int(request["deadline_ms"])

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def load_handler(spec: str) -> Callable[[Any, Context], Any]:
    module_name, _, attribute = spec.rpartition(".")
    if not module_name:
        raise ValueError(f"handler '{spec}' is not module.function")
    handler = getattr(importlib.import_module(module_name), attribute)
    if not callable(handler):
        raise TypeError(f"handler '{spec}' is not callable")
    return handler  # type: ignore[no-any-return]


def error(kind: str, exc: BaseException) -> dict[str, Any]:
    trace = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return {"ok": False, "errorType": kind or type(exc).__name__, "errorMessage": str(exc), "stackTrace": trace}


def invoke(handler: Callable[[Any, Context], Any], request: dict[str, Any]) -> dict[str, Any]:
    try:
        result = handler(request["event"], Context(request))
    except Exception as exc:  # noqa: BLE001 - an unhandled error is the function's failure, not the worker's
        traceback.print_exc()
        return error(type(exc).__name__, exc)
    return {"ok": True, "result": result}


def encode(answer: dict[str, Any]) -> bytes:
    try:
        return json.dumps(answer).encode() + b"\n"
    except (TypeError, ValueError) as exc:  # the function returned something that is not JSON
        return json.dumps(error("Runtime.MarshalError", exc)).encode() + b"\n"


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    handler: Callable[[Any, Context], Any] | None = None
    import_error: dict[str, Any] = {}
    try:
        handler = load_handler(os.environ["_HANDLER"])
    except Exception as exc:  # noqa: BLE001 - reported on every invocation, as Lambda does
        import_error = error("Runtime.ImportModuleError", exc)
        traceback.print_exc()
    answers.write(b'{"ready": true}\n')
    answers.flush()
    for line in requests:
        request = json.loads(line)
        answers.write(encode(import_error if handler is None else invoke(handler, request)))
        answers.flush()


def main() -> None:
    # The protocol keeps the real stdout; print() and loggers write to stderr.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    root = os.environ.get("LAMBDA_TASK_ROOT", "")
    if root and root not in sys.path:
        sys.path.insert(0, root)
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
