"""The runtime itself: hot reload, timeouts and unhandled errors, re-reading the stack, the Lambda Invoke API,
a second start, the local URLs clients get, and the one-line errors of the process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import boto3
import pytest

from tests.e2e.conftest import Deployed, eventually
from tools import background, local
from tools.runtime import daemon
from tools.tfenv import ROOT, ToolError

HEALTH = Path("parley/handlers/api_public.py")


@contextmanager
def edited(deployed: Deployed, relative: Path, old: str, new: str) -> Iterator[None]:
    """Change the runtime's copy of one source file for the duration of the block."""
    path = deployed.source / relative
    original = path.read_text()
    assert old in original
    path.write_text(original.replace(old, new))
    try:
        yield
    finally:
        path.write_text(original)


def test_runtime_hot_reload_serves_an_edited_handler_on_the_next_request(deployed: Deployed) -> None:
    assert deployed.http.get("/health").json()["status"] == "ok"
    with edited(deployed, HEALTH, '"status": "ok"', '"status": "edited"'):
        assert deployed.http.get("/health").json()["status"] == "edited"
    assert deployed.http.get("/health").json()["status"] == "ok"


def test_runtime_kills_a_hanging_function_at_its_timeout_and_serves_the_next_request(deployed: Deployed) -> None:
    lambda_ = deployed.client("lambda")
    name = deployed.outputs["function_names"]["api_public"]
    timeout = lambda_.get_function_configuration(FunctionName=name)["Timeout"]
    hang = (
        "def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:\n"
        "    if event.get('rawQueryString') == 'hang':\n"
        "        __import__('time').sleep(600)\n"
        "    if event.get('rawQueryString') == 'boom':\n"
        "        raise RuntimeError('boom from the handler')\n"
    )
    lambda_.update_function_configuration(FunctionName=name, Timeout=2)
    try:
        deployed.reload()
        with edited(
            deployed, HEALTH, "def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:\n", hang
        ):
            started = time.monotonic()
            hung = deployed.http.get("/health?hang")
            assert hung.status_code == 500 and hung.json() == {"message": "Internal Server Error"}
            assert 2 <= time.monotonic() - started < 10
            failed = deployed.http.get("/health?boom")
            assert failed.status_code == 500 and failed.json() == {"message": "Internal Server Error"}
            assert deployed.http.get("/health").status_code == 200
    finally:
        lambda_.update_function_configuration(FunctionName=name, Timeout=timeout)
        deployed.reload()
    log = deployed.runtime.process.log_file.read_text()
    assert "Task timed out after 2.00 seconds" in log
    assert "Traceback" in log and "RuntimeError: boom from the handler" in log


def test_runtime_follows_the_deployed_wiring_when_it_changes(deployed: Deployed) -> None:
    # A route wired to the wrong function fails locally as it would on AWS: that function answers.
    apigw = deployed.client("apigatewayv2")
    (api,) = [a for a in apigw.get_apis()["Items"] if a["ProtocolType"] == "HTTP"]
    routes = {r["RouteKey"]: r for r in apigw.get_routes(ApiId=api["ApiId"])["Items"]}
    health, me = routes["GET /health"], routes["GET /me"]
    apigw.update_route(ApiId=api["ApiId"], RouteId=health["RouteId"], Target=me["Target"])
    try:
        # Read again within the runtime's poll interval, without being told.
        wrong = eventually(lambda: (r := deployed.http.get("/health")).status_code == 404 and r, timeout=30)
        assert wrong.json()["error"] == "not_found"  # the api function's own answer, not the gateway's
    finally:
        apigw.update_route(ApiId=api["ApiId"], RouteId=health["RouteId"], Target=health["Target"])
        deployed.reload()
    assert deployed.http.get("/health").status_code == 200


def test_runtime_serves_the_lambda_invoke_api_to_functions(deployed: Deployed) -> None:
    client = boto3.client(
        "lambda", endpoint_url=f"{deployed.runtime.endpoint}/_local/aws/lambda", region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip
    name = deployed.outputs["function_names"]["points_reset"]
    answer = client.invoke(FunctionName=name, Payload=b'{"today": "2020-01-01"}')
    assert answer["StatusCode"] == 200 and "FunctionError" not in answer
    assert json.loads(answer["Payload"].read())["today"] == "2020-01-01"
    assert client.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")["StatusCode"] == 202
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.invoke(FunctionName="parley-local-nothing", Payload=b"{}")
    # Other Lambda calls go on to the emulator.
    assert client.get_function_configuration(FunctionName=name)["FunctionName"] == name


def test_runtime_second_start_keeps_it_and_a_changed_start_restarts_it(deployed: Deployed) -> None:
    pid = background.our_pid(deployed.runtime.process)
    assert daemon.start(deployed.runtime) == "running"
    assert background.our_pid(deployed.runtime.process) == pid
    changed = replace(deployed.runtime, queue_retry_seconds=2)
    try:
        assert daemon.start(changed) == "restarted"
        assert background.our_pid(deployed.runtime.process) not in {None, pid}
    finally:
        assert daemon.start(deployed.runtime) == "restarted"
    assert deployed.http.get("/health").status_code == 200


def test_runtime_urls_are_what_clients_get_as_outputs(deployed: Deployed) -> None:
    urls = local.runtime_urls(deployed.runtime)
    assert urls == {
        "http_api_url": f"{deployed.runtime.endpoint}/",
        "websocket_url": deployed.websocket_url,
        "site_url": f"http://127.0.0.1:{deployed.runtime.site_port}/",
    }
    merged = deployed.outputs | urls
    assert merged["http_api_url"].startswith("http://127.0.0.1:") and merged["websocket_url"].endswith("/live")


def test_runtime_port_in_use_is_one_line_naming_the_setting(deployed: Deployed) -> None:
    busy = deployed.runtime.port
    result = subprocess.run(
        [sys.executable, "-m", "tools.runtime", "--emulator", deployed.endpoint, "--port", str(busy)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "PARLEY_GATEWAY_PORT" in result.stderr and str(busy) in result.stderr
    other = daemon.LocalRuntime(deployed.base / "other", deployed.emulator.port, deployed.endpoint)
    with pytest.raises(ToolError, match="PARLEY_GATEWAY_PORT"):
        daemon.start(other)
