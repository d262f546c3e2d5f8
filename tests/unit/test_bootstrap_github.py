"""`make bootstrap` passes envs/<env>/bootstrap.tfvars and names the deploy role it created."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from tools import local
from tools.tfenv import ENVS_DIR

ROLE = "arn:aws:iam::123456789012:role/parley-deploy-dev"


class FakeTerraform:
    def __init__(self, role: str | None) -> None:
        self.calls: list[list[str]] = []
        self.role = role

    def __call__(
        self, root: Path, args: Sequence[str], environ: dict[str, str], **_: object
    ) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(args))
        stdout = json.dumps({"deploy_role_arn": {"value": self.role}}) if args[0] == "output" else ""
        return subprocess.CompletedProcess(args, 0, stdout, "")

    def command(self, name: str) -> list[str]:
        (found,) = [call for call in self.calls if call[0] == name]
        return found


def test_bootstrap_github_passes_the_env_settings_and_prints_the_role(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given dev has a bootstrap.tfvars and terraform reports a deploy role
    assert (ENVS_DIR / "dev" / "bootstrap.tfvars").is_file()
    fake = FakeTerraform(ROLE)
    monkeypatch.setattr(local, "terraform", fake)
    # When dev is bootstrapped
    local.bootstrap("dev", base=tmp_path)
    # Then the settings file is passed to apply and the role is named for AWS_ROLE_ARN
    assert f"-var-file={ENVS_DIR / 'dev' / 'bootstrap.tfvars'}" in fake.command("apply")
    assert f"deploy role {ROLE}: set it as AWS_ROLE_ARN" in capsys.readouterr().out


def test_bootstrap_github_without_settings_asks_for_no_role(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given local has no bootstrap.tfvars
    assert not (ENVS_DIR / "local" / "bootstrap.tfvars").exists()
    fake = FakeTerraform(None)
    monkeypatch.setattr(local, "terraform", fake)
    # When local is bootstrapped on the emulator
    local.bootstrap("local", "http://127.0.0.1:1", base=tmp_path)
    # Then no settings file is passed and no output is read
    assert not any(arg.startswith("-var-file") for arg in fake.command("apply"))
    assert [call[0] for call in fake.calls] == ["init", "apply"]
