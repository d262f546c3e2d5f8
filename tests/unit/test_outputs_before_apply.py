"""'make outputs' before anything was applied says what to run first."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import local
from tools.tfenv import ToolError


def _fake_terraform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stdout: str, stderr: str, code: int) -> None:
    script = tmp_path / "terraform"
    script.write_text(f"#!/bin/sh\nprintf '%s' '{stdout}'\nprintf '%s\\n' '{stderr}' >&2\nexit {code}\n")
    script.chmod(0o755)
    monkeypatch.setenv("TERRAFORM", str(script))
    monkeypatch.setenv("PARLEY_HOME", str(tmp_path / "home"))


def test_outputs_before_init_says_to_plan_and_apply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a dev environment that was never initialised
    _fake_terraform(tmp_path, monkeypatch, "", "Error: Backend initialization required", 1)
    # When its outputs are read, Then the error names the commands to run first
    with pytest.raises(ToolError, match=r"run 'make plan ENV=dev' then 'make apply ENV=dev' first"):
        local.Workspace("dev", base=tmp_path / "home").outputs()


def test_outputs_of_an_empty_local_state_say_make_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_terraform(tmp_path, monkeypatch, "{}", "", 0)
    with pytest.raises(ToolError, match=r"has no outputs yet: run 'make up' first"):
        local.Workspace("local", base=tmp_path / "home").outputs()


def test_outputs_skip_sensitive_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = (
        '{"site_url": {"value": "https://d1.cloudfront.net", "sensitive": false},'
        ' "k": {"value": "x", "sensitive": true}}'
    )
    _fake_terraform(tmp_path, monkeypatch, payload, "", 0)
    assert local.Workspace("prod", base=tmp_path / "home").outputs() == {"site_url": "https://d1.cloudfront.net"}
