"""What `make up` and the terraform steps print: a short summary, a progress count, the full log under .parley/."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tools import emulator as emu
from tools import local
from tools.tfenv import ToolError

FIXTURES = ROOT / "tests" / "unit" / "fixtures" / "terraform"
RUNTIME = "http://127.0.0.1:4731"
EMULATOR = "http://127.0.0.1:4730"
OUTPUTS: dict[str, object] = {
    "http_api_url": f"{RUNTIME}/",
    "websocket_url": "ws://127.0.0.1:4731/live",
    "table_name": "parley-local-main",
    "function_names": {"api": "parley-local-api", "ws": "parley-local-ws"},
}


def test_up_summary_says_what_runs_where_how_to_sign_in_and_what_next() -> None:
    lines = local.summary(OUTPUTS, RUNTIME, EMULATOR, 83.4)
    assert len(lines) <= 15
    assert lines[0] == "parley: local stack up in 83s"
    assert "  HTTP API    http://127.0.0.1:4731/" in lines
    assert "  WebSocket   ws://127.0.0.1:4731/live?token=<access token>" in lines
    assert "  Mailbox     http://127.0.0.1:4731/_local/mail  (sign-in codes and every mail sent)" in lines
    assert any(line.startswith(f"  Emulator    {EMULATOR}  (AWS_ENDPOINT_URL") for line in lines)
    assert any(line.startswith("Sign in: POST /auth/login") for line in lines)
    text = "\n".join(lines)
    for command in ("make seed", "make outputs", "make logs", "make down"):
        assert command in text
    # Internal names stay in 'make outputs'; no web client line while the runtime serves none
    assert "parley-local-api" not in text and "Web client" not in text


def test_up_summary_shows_the_web_client_when_the_runtime_serves_it() -> None:
    lines = local.summary(OUTPUTS, RUNTIME, EMULATOR, 1, web_client="http://127.0.0.1:4734/")
    assert "  Web client  http://127.0.0.1:4734/" in lines
    assert len(lines) <= 15


def _fake_terraform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stdout: str, stderr: str, code: int) -> Path:
    """A terraform that records its arguments, prints ``stdout``/``stderr`` and exits with ``code``."""
    (tmp_path / "out.txt").write_text(stdout)
    (tmp_path / "err.txt").write_text(stderr)
    script = tmp_path / "terraform"
    script.write_text(
        f'#!/bin/sh\necho "$@" >> {tmp_path}/args.txt\n'
        f"cat {tmp_path}/out.txt\ncat {tmp_path}/err.txt >&2\nexit {code}\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("TERRAFORM", str(script))
    monkeypatch.delenv("VERBOSE", raising=False)
    return tmp_path / "args.txt"


APPLY = "".join(f"aws_sqs_queue.q{n}: Creation complete after 1s [id=q{n}]\n" for n in range(3)) + (
    "\nApply complete! Resources: 3 added, 0 changed, 0 destroyed.\n"
)


def test_apply_prints_a_count_not_the_stream_and_keeps_the_full_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a saved plan of 3 changes and a terraform that creates 3 resources
    args = _fake_terraform(tmp_path, monkeypatch, APPLY, "", 0)
    workspace = local.Workspace("dev", base=tmp_path / "home")
    workspace.plan_file.parent.mkdir(parents=True)
    workspace.plan_file.write_text("plan")
    workspace.changes_file.write_text("3\n")
    # When it is applied (output not a terminal)
    workspace.apply()
    out = capsys.readouterr().out.splitlines()
    # Then one count line (the end of the count) and the timing, with terraform's stream only in the log
    assert out[0] == "parley: dev: applying 3/3 resources"
    assert out[1].startswith("parley: dev: applied in ") and len(out) == 2
    log = (tmp_path / "home" / "logs" / "dev-apply.log").read_text()
    assert APPLY in log and log.startswith("$ ")
    assert args.read_text().split()[:2] == [f"-chdir={ROOT / 'envs' / 'dev'}", "apply"]
    assert "-no-color" in args.read_text().split()
    assert not workspace.plan_file.exists() and not workspace.changes_file.exists()


def test_verbose_streams_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fake_terraform(tmp_path, monkeypatch, APPLY, "Warning: something\n", 0)
    monkeypatch.setenv("VERBOSE", "1")
    workspace = local.Workspace("dev", base=tmp_path / "home")
    workspace.plan_file.parent.mkdir(parents=True)
    workspace.plan_file.write_text("plan")
    workspace.apply()
    captured = capsys.readouterr()
    assert captured.out.startswith(APPLY) and "resources" not in captured.out
    assert captured.err == "Warning: something\n"


def test_plan_sums_up_in_one_line_and_keeps_the_count_for_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = "  # aws_sqs_queue.q0 will be created\n" * 5 + "Plan: 5 to add, 1 to change, 0 to destroy.\n"
    _fake_terraform(tmp_path, monkeypatch, plan, "", 2)
    workspace = local.Workspace("dev", base=tmp_path / "home")
    assert workspace.plan() == 2
    log = tmp_path / "home" / "logs" / "dev-plan.log"
    assert capsys.readouterr().out == f"parley: dev: Plan: 5 to add, 1 to change, 0 to destroy. (full plan: {log})\n"
    assert workspace.changes_file.read_text() == "6\n"
    # 'make plan' shows the plan itself, for review
    assert workspace.plan(show=True) == 2
    assert capsys.readouterr().out == plan


def test_a_failed_destroy_shows_the_error_the_fix_and_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_terraform(tmp_path, monkeypatch, "", (FIXTURES / "provider_registry_unreachable_color.txt").read_text(), 1)
    monkeypatch.delenv("TF_PROVIDER_MIRROR", raising=False)  # providers from the registry
    workspace = local.Workspace("dev", base=tmp_path / "home")
    with pytest.raises(ToolError) as failed:
        workspace.destroy()
    lines = str(failed.value).splitlines()
    assert lines[0].startswith("terraform destroy in envs/dev failed: Failed to query available provider packages")
    assert "\x1b" not in str(failed.value)
    assert lines[1] == f"  full log: {tmp_path / 'home' / 'logs' / 'dev-destroy.log'}"
    assert lines[2].startswith("  fix: terraform cannot download the hashicorp/aws provider: set TF_PROVIDER_MIRROR")


def test_env_file_holds_scalar_outputs_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local, "ROOT", tmp_path)
    path = local.write_env_file("local", OUTPUTS)
    assert path == tmp_path / "build" / "local.env"
    assert path.read_text().splitlines() == [
        f"PARLEY_HTTP_API_URL={RUNTIME}/",
        "PARLEY_TABLE_NAME=parley-local-main",
        "PARLEY_WEBSOCKET_URL=ws://127.0.0.1:4731/live",
    ]


def test_a_taken_emulator_port_names_the_setting_and_a_free_port(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        emulator = emu.Emulator(tmp_path, port)
        with pytest.raises(ToolError) as taken:
            emu.start(emulator)
    message = str(taken.value)
    assert re.fullmatch(
        rf"port {port} is in use by another program: stop it or set PARLEY_EMULATOR_PORT to a free port "
        r"\(e\.g\. PARLEY_EMULATOR_PORT=\d+\); 'make doctor' checks the ports",
        message,
    ), message
    assert not emulator.pid_file.exists()  # nothing was started
