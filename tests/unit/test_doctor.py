"""`make doctor`: each check with fake probes, the table, the exit code, and the port probe for real."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from tools import background, doctor
from tools.doctor import FAIL, INFO, OK, WARN, Row
from tools.tfenv import ToolError


def _no_registry() -> str | None:
    return "[Errno -2] Name or service not known"


def _registry_up() -> str | None:
    return None


def test_doctor_python_and_terraform_versions() -> None:
    assert doctor.python_row((3, 12, 1)).status == OK
    old = doctor.python_row((3, 10, 14))
    assert old.status == FAIL and old.detail == "3.10.14 is too old: install Python 3.11 or later"
    assert doctor.terraform_row("1.11.4") == Row("Terraform", OK, "1.11.4")
    assert doctor.terraform_row("1.10.5").status == FAIL
    missing = doctor.terraform_row(None)
    assert missing.status == FAIL and missing.detail.startswith("not found on PATH: install Terraform >= 1.11")


def test_doctor_provider_from_the_mirror_the_cache_or_the_registry(tmp_path: Path) -> None:
    unpacked = tmp_path / "unpacked" / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0"
    unpacked.mkdir(parents=True)
    packed = tmp_path / "packed" / "registry.terraform.io" / "hashicorp" / "aws"
    packed.mkdir(parents=True)
    (packed / "terraform-provider-aws_5.100.0_linux_amd64.zip").write_bytes(b"")
    for mirror in ("unpacked", "packed"):
        row = doctor.provider_row(str(tmp_path / mirror), "5.100.0", cached=False, registry_error=_no_registry)
        assert row.status == OK, row
    wrong = doctor.provider_row(str(tmp_path / "unpacked"), "6.0.0", cached=False, registry_error=_registry_up)
    assert wrong.status == FAIL and "hashicorp/aws 6.0.0 is not in TF_PROVIDER_MIRROR=" in wrong.detail
    assert doctor.provider_row("", "5.100.0", cached=True, registry_error=_no_registry).status == OK
    assert doctor.provider_row("", "5.100.0", cached=False, registry_error=_registry_up).status == OK
    # No mirror, nothing cached, no registry: the fix names TF_PROVIDER_MIRROR
    offline = doctor.provider_row("", "5.100.0", cached=False, registry_error=_no_registry)
    assert offline == Row(
        "Provider",
        FAIL,
        "registry.terraform.io is unreachable ([Errno -2] Name or service not known): set TF_PROVIDER_MIRROR to a "
        "provider mirror (a folder holding registry.terraform.io) or allow access to the registry",
    )


def test_doctor_reads_the_locked_provider_version(tmp_path: Path) -> None:
    assert doctor.locked_provider_version() == "5.100.0"  # envs/local/.terraform.lock.hcl
    empty = tmp_path / ".terraform.lock.hcl"
    empty.write_text("# nothing\n")
    with pytest.raises(ToolError, match="pins no hashicorp/aws version"):
        doctor.locked_provider_version(empty)


def test_doctor_ports_free_ours_or_taken() -> None:
    assert doctor.port_row("emulator", "PARLEY_EMULATOR_PORT", 4566, None, lambda: 1).status == OK
    ours = doctor.port_row("emulator", "PARLEY_EMULATOR_PORT", 4566, "parley", lambda: 1)
    assert ours == Row("Port 4566", OK, "held by parley's emulator ('make down' frees it)")
    taken = doctor.port_row("local runtime", "PARLEY_GATEWAY_PORT", 4580, "other", lambda: 45123)
    assert taken == Row(
        "Port 4580", FAIL, "taken by another program: stop it, or set PARLEY_GATEWAY_PORT=45123 (a free port)"
    )


def test_doctor_port_probe_binds_only_loopback_and_releases_the_port_at_once(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        assert doctor.port_taken(port)
        # Taken, and not by a process parley recorded
        assert doctor.port_owner(port, background.Process("emulator", tmp_path, port, "tools.moto_server")) == "other"
    assert not doctor.port_taken(port)
    with socket.socket() as again:  # the probe left nothing bound
        again.bind(("127.0.0.1", port))


def test_doctor_venv_missing_stale_or_current(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements-dev.txt"
    requirements.write_text("x==1\n")
    assert doctor.venv_row(tmp_path / ".venv", [requirements]).status == WARN
    marker = tmp_path / ".venv" / ".installed"
    marker.parent.mkdir()
    marker.touch()
    os.utime(requirements, (time.time() + 60, time.time() + 60))
    stale = doctor.venv_row(tmp_path / ".venv", [requirements])
    assert stale == Row(".venv", WARN, "older than requirements-dev.txt: 'make setup' updates it")
    os.utime(requirements, (time.time() - 60, time.time() - 60))
    assert doctor.venv_row(tmp_path / ".venv", [requirements]) == Row(".venv", OK, "current")


def test_doctor_stack_browser_and_test_packages() -> None:
    assert doctor.stack_row("stopped", "stopped") == Row("Local stack", INFO, "not up: 'make up' starts it")
    up = doctor.stack_row("running (pid 7) at http://127.0.0.1:4566", "running (pid 8) at http://127.0.0.1:4580")
    assert up.status == INFO and "emulator running (pid 7)" in up.detail and "runtime running (pid 8)" in up.detail
    assert doctor.browser_row("/usr/bin/chromium").status == OK
    assert doctor.browser_row(None).status == WARN
    missing = doctor.test_packages_row(["caddy"])
    assert missing.status == WARN and "'sudo python3 -m tools.system_packages caddy'" in missing.detail


def test_doctor_credentials_line_uses_the_preflight_check() -> None:
    def refuse(env: str) -> None:
        raise ToolError(f"no AWS credentials for ENV={env}: set AWS_PROFILE")

    assert doctor.credentials_row("prod", refuse) == Row(
        "AWS (prod)", FAIL, "no AWS credentials for ENV=prod: set AWS_PROFILE"
    )
    assert doctor.credentials_row("dev", lambda env: None).status == OK


def test_doctor_prints_one_table_and_fails_only_on_required_checks(capsys: pytest.CaptureFixture[str]) -> None:
    healthy = [Row("Python", OK, "3.12.1"), Row("Browser", WARN, "no chromium"), Row("Local stack", INFO, "not up")]
    assert doctor.main(["local"], probe=lambda env: healthy) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "  check        status  detail / fix",
        "  Python       ok      3.12.1",
        "  Browser      warn    no chromium",
        "  Local stack  info    not up",
        "doctor: ready for 'make up'",
    ]
    broken = [*healthy, Row("Provider", FAIL, "set TF_PROVIDER_MIRROR")]
    assert doctor.main(["dev"], probe=lambda env: broken) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "doctor: 1 required check(s) failed (Provider): see the fixes above"
    )
    assert doctor.main(["nosuchenv"], probe=lambda env: healthy) == 1
    assert "unknown ENV 'nosuchenv'" in capsys.readouterr().err


def test_doctor_adds_the_credentials_line_only_for_real_environments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_EMULATOR_PORT", str(background.free_port()))
    monkeypatch.setenv("PARLEY_GATEWAY_PORT", str(background.free_port()))
    monkeypatch.setattr(doctor, "registry_error", _registry_up)
    assert [r.check for r in doctor.rows("local")][-1] == "Test packages"
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    assert doctor.rows("dev")[-1] == Row("AWS (dev)", OK, "credentials found (the default chain)")
