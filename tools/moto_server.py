"""Start moto server with the fidelity fixes parley's plans and local runtime need.

    python -m tools.moto_server -H 127.0.0.1 -p 4566

- SQS returns RedrivePolicy as compact JSON, as AWS does; moto's default
  spacing makes the AWS provider plan a change on every run.
- Connections are kept alive (HTTP/1.1): clients reuse them instead of
  opening one per call, which trims every call the functions make.
- Event source mappings of SQS queues and DynamoDB tables are recorded but not
  run by the emulator (it would try to invoke the function in a container on
  every send): messages stay in the queue for the local runtime's pollers
  (tools/runtime/queues.py), which honour batch size, partial batch failures
  and the redrive policy as Lambda does.
- ``POST /_parley/cognito/tokens`` with ``{"UserPoolId", "ClientId",
  "Username"}`` issues the pool's tokens for a user whose custom-auth sign-in
  the local runtime has completed (tools/runtime/cognito.py runs the
  challenge triggers; the emulator's CUSTOM_AUTH flow returns nothing). The
  tokens are the emulator's own: signed with the pool's key and refreshable.
- Two lookups moto repeats on every request are computed once: the list of
  its service packages (read from the file system, dozens of ``stat`` calls
  per request) and the method names of a response class (``inspect``). They
  cannot change while the server runs; this takes about a fifth off the
  emulator's CPU time per call (bench/emulator.py).
AWS managed IAM policies are loaded through MOTO_IAM_LOAD_MANAGED_POLICIES,
which tools.emulator sets.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any

from moto import backends
from moto.cognitoidp import exceptions as cognito_errors
from moto.cognitoidp import models as cognito_models
from moto.core import responses as moto_responses
from moto.core.exceptions import JsonRESTError
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import table as dynamodb_table
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.server import main
from moto.sqs import models as sqs_models
from werkzeug.serving import WSGIRequestHandler

TOKENS_PATH = "/_parley/cognito/tokens"

WSGIRequestHandler.protocol_version = "HTTP/1.1"

_service_packages = tuple(backends.list_of_moto_modules())
backends.list_of_moto_modules = lambda: _service_packages  # type: ignore[assignment]
moto_responses.method_names_from_class = functools.cache(moto_responses.method_names_from_class)  # type: ignore[assignment,attr-defined]

_attributes = sqs_models.Queue.attributes.fget  # type: ignore[attr-defined]


def _aws_attributes(queue: Any) -> dict[str, Any]:
    result: dict[str, Any] = _attributes(queue)  # type: ignore[misc]
    if queue.redrive_policy:
        result["RedrivePolicy"] = json.dumps(queue.redrive_policy, separators=(",", ":"))
    return result


sqs_models.Queue.attributes = property(_aws_attributes)  # type: ignore[method-assign,assignment]

# A fresh empty map on every read, and writes dropped: the emulator never runs these mappings itself.
_no_mappings = property(lambda self: {}, lambda self, value: None)
sqs_models.Queue.lambda_event_source_mappings = _no_mappings  # type: ignore[assignment]
dynamodb_table.Table.lambda_event_source_mappings = _no_mappings  # type: ignore[assignment]


def issue_tokens(request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """(status, body): the pool's tokens for ``request['Username']``, or a Cognito-style error."""
    pool_id, client_id, username = (str(request.get(k) or "") for k in ("UserPoolId", "ClientId", "Username"))
    if not (pool_id and client_id and username):
        return 400, {"__type": "InvalidParameterException", "message": "UserPoolId, ClientId and Username are required"}
    region = pool_id.split("_", 1)[0]
    backend = cognito_models.cognitoidp_backends[DEFAULT_ACCOUNT_ID][region]
    try:
        pool = backend.describe_user_pool(pool_id)
        client = pool.clients.get(client_id)
        if client is None:
            raise cognito_errors.ResourceNotFoundError(client_id)
        user = backend.admin_get_user(pool_id, username)
        if not user.enabled:
            raise cognito_errors.NotAuthorizedError("User is disabled.")
        return 200, backend._log_user_in(pool, client, user.username)["AuthenticationResult"]
    except JsonRESTError as error:
        return error.code, {"__type": error.error_type, "message": error.message}


_dispatch = DomainDispatcherApplication.__call__


def _call(self: DomainDispatcherApplication, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    if environ.get("PATH_INFO") != TOKENS_PATH or environ.get("REQUEST_METHOD") != "POST":
        return _dispatch(self, environ, start_response)
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request = json.loads(environ["wsgi.input"].read(length) or b"{}")
    except ValueError:
        request = None
    status, body = issue_tokens(request) if isinstance(request, dict) else (400, {"message": "body is not JSON"})
    payload = json.dumps(body).encode()
    reason = "OK" if status == 200 else "Error"
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


DomainDispatcherApplication.__call__ = _call  # type: ignore[method-assign]

if __name__ == "__main__":
    main(sys.argv[1:])
