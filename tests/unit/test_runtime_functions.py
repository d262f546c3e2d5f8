"""The local runtime's function runner (worker processes) and its process-level errors, without an emulator."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tools.background import free_port
from tools.runtime.config import Function
from tools.runtime.functions import Outcome, Runner, lambda_environment
from tools.tfenv import ROOT

PROBE = """
import os, time

def handler(event, context):
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("fail"):
        raise ValueError("bad input " + event["fail"])
    print("printed by the function")
    return {
        "version": VERSION,
        "name": context.function_name,
        "request_id": context.aws_request_id,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "greeting": os.environ.get("GREETING"),
        "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
        "cognito": os.environ.get("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"),
        "region": os.environ.get("AWS_REGION"),
        "event": event,
    }
"""


def _source(tmp_path: Path, version: int = 1) -> Path:
    handlers = tmp_path / "src" / "parley" / "handlers"
    handlers.mkdir(parents=True, exist_ok=True)
    (handlers.parent / "__init__.py").write_text("")
    (handlers / "__init__.py").write_text("")
    (handlers / "probe.py").write_text(f"VERSION = {version}\n" + textwrap.dedent(PROBE))
    return tmp_path / "src"


def _function(**changes: Any) -> Function:
    fields: dict[str, Any] = {
        "name": "app-probe", "arn": "arn:aws:lambda:us-east-1:123456789012:function:app-probe",
        "handler": "parley.handlers.probe.handler", "timeout_seconds": 2, "memory_mb": 256,
        "environment": {"GREETING": "hello"},
    }  # fmt: skip
    fields.update(changes)
    return Function(**fields)


def _run(source: Path, *calls: tuple[Function, Any]) -> list[Outcome]:
    async def go() -> list[Outcome]:
        runner = Runner(source, "http://127.0.0.1:1", "http://127.0.0.1:2", pool_size=2)
        try:
            return [await runner.invoke(function, event) for function, event in calls]
        finally:
            await runner.close()

    return asyncio.run(go())


def test_runner_gives_the_deployed_environment_and_a_lambda_context(tmp_path: Path) -> None:
    (first, second) = _run(_source(tmp_path), (_function(), {"n": 1}), (_function(), {"n": 2}))
    assert first.ok and second.ok
    result = first.result
    assert result["name"] == "app-probe" and result["greeting"] == "hello" and result["event"] == {"n": 1}
    assert result["endpoint"] == "http://127.0.0.1:1" and result["region"] == "us-east-1"
    assert result["cognito"] == "http://127.0.0.1:2/_local/aws/cognito-idp"
    assert 1000 < result["remaining_ms"] <= 2000
    assert first.request_id == result["request_id"] != second.result["request_id"]


def test_runner_reports_unhandled_errors_and_kills_a_hung_worker_at_the_timeout(tmp_path: Path) -> None:
    failed, hung, after = _run(
        _source(tmp_path), (_function(), {"fail": "x"}), (_function(), {"sleep": 30}), (_function(), {"n": 3})
    )
    assert not failed.ok and failed.error_type == "ValueError" and failed.error_message == "bad input x"
    assert not hung.ok and hung.error_type == "Sandbox.Timedout"
    assert hung.error_message == "Task timed out after 2.00 seconds" and hung.duration_ms < 5000
    assert after.ok and after.result["event"] == {"n": 3}


def test_runner_reloads_edited_code_and_changed_settings(tmp_path: Path) -> None:
    source = _source(tmp_path)
    probe = source / "parley" / "handlers" / "probe.py"

    async def go() -> list[Outcome]:
        runner = Runner(source, "http://127.0.0.1:1", "http://127.0.0.1:2")
        try:
            outcomes = [await runner.invoke(_function(), {})]
            probe.write_text(probe.read_text().replace("VERSION = 1", "VERSION = 2"))
            os.utime(probe, ns=(probe.stat().st_mtime_ns + 10**9,) * 2)
            outcomes.append(await runner.invoke(_function(), {}))
            outcomes.append(await runner.invoke(_function(environment={"GREETING": "changed"}), {}))
            return outcomes
        finally:
            await runner.close()

    before, edited, redeployed = asyncio.run(go())
    assert (before.result["version"], edited.result["version"]) == (1, 2)
    assert redeployed.result["greeting"] == "changed"


def test_runner_reports_a_handler_that_cannot_be_imported(tmp_path: Path) -> None:
    (missing,) = _run(_source(tmp_path), (_function(handler="parley.handlers.nothing.handler"), {}))
    assert not missing.ok and missing.error_type == "Runtime.ImportModuleError"


def test_lambda_environment_keeps_reserved_variables_over_deployed_ones(tmp_path: Path) -> None:
    environ = lambda_environment(
        _function(environment={"AWS_REGION": "eu-west-3", "TABLE_NAME": "t"}), "http://e", "http://g", tmp_path
    )
    assert environ["AWS_REGION"] == "us-east-1" and environ["TABLE_NAME"] == "t"
    assert environ["AWS_LAMBDA_FUNCTION_NAME"] == "app-probe" and environ["_HANDLER"] == "parley.handlers.probe.handler"
    assert environ["AWS_ENDPOINT_URL_SESV2"] == "http://g/_local/aws/sesv2"
    assert environ["AWS_ACCESS_KEY_ID"] == "test" and "HOME" not in environ


def _command(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_runtime_without_an_emulator_says_to_run_make_up() -> None:
    result = _command("tools.runtime", "--emulator", f"http://127.0.0.1:{free_port()}", "--port", str(free_port()))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "run 'make up' first" in result.stderr


@pytest.mark.parametrize("command", ["dev", "outputs"])
def test_parley_local_commands_without_an_emulator_say_to_run_make_up(tmp_path: Path, command: str) -> None:
    args = ["tools.parley", command, *(["local"] if command == "outputs" else [])]
    result = _command(*args, env={"PARLEY_HOME": str(tmp_path), "PARLEY_EMULATOR_PORT": str(free_port())})
    assert result.returncode == 1
    assert result.stderr.strip() == "parley: the local emulator is not running: run 'make up' first"


def test_parley_logs_without_a_runtime_log_says_to_run_make_up(tmp_path: Path) -> None:
    result = _command("tools.parley", "logs", env={"PARLEY_HOME": str(tmp_path)})
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "run 'make up' first" in result.stderr


def test_a_bad_gateway_port_setting_is_one_line(tmp_path: Path) -> None:
    result = _command("tools.parley", "dev", env={"PARLEY_HOME": str(tmp_path), "PARLEY_GATEWAY_PORT": "80"})
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "PARLEY_GATEWAY_PORT=80" in result.stderr
