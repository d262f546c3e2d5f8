"""tools/system_packages.py: install only what is missing, as root, without starting services; else say what to run."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests import conftest
from tools import system_packages


@pytest.fixture
def apt_calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[list[str]]:
    """apt-get is recorded, never run; the policy-rc.d file lives in a temporary folder."""
    calls: list[list[str]] = []
    policy = tmp_path / "policy-rc.d"
    monkeypatch.setattr(system_packages, "POLICY_RC_D", policy)

    def run(args: list[str]) -> subprocess.CompletedProcess[str]:
        calls.append([*args, f"policy={policy.read_text() if policy.exists() else None}"])
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(system_packages, "_run", run)
    monkeypatch.setattr(system_packages.shutil, "which", lambda name, path=None: f"/usr/bin/{name}")
    return calls


def _missing(monkeypatch: pytest.MonkeyPatch, missing: set[str], installed_by_apt: bool = True) -> None:
    state = set(missing)

    def command(package: str) -> str | None:
        return None if package in state else f"/usr/bin/{system_packages.COMMANDS[package]}"

    original_install = system_packages._install

    def install(packages: list[str]) -> str | None:
        result = original_install(packages)
        if installed_by_apt:
            state.difference_update(packages)
        return result

    monkeypatch.setattr(system_packages, "command", command)
    monkeypatch.setattr(system_packages, "_install", install)


def test_system_packages_do_nothing_when_the_commands_exist(
    monkeypatch: pytest.MonkeyPatch, apt_calls: list[list[str]]
) -> None:
    _missing(monkeypatch, set())
    monkeypatch.setattr(system_packages.os, "geteuid", lambda: 1000)
    assert system_packages.ensure(["coturn", "shellcheck"]) == {}
    assert apt_calls == []


def test_system_packages_install_only_the_missing_one_as_root_without_starting_it(
    monkeypatch: pytest.MonkeyPatch, apt_calls: list[list[str]]
) -> None:
    _missing(monkeypatch, {"coturn"})
    monkeypatch.setattr(system_packages.os, "geteuid", lambda: 0)
    assert system_packages.ensure(["coturn", "shellcheck"]) == {}
    [install] = [c for c in apt_calls if c[:2] == ["apt-get", "install"]]
    assert install[-2:] == ["coturn", "policy=#!/bin/sh\n# installing packages: start no service\nexit 101\n"]
    assert "-y" in install and "--no-install-recommends" in install and "-qq" in install
    assert not system_packages.POLICY_RC_D.exists(), "the policy file made for the install is removed"


def test_system_packages_keep_an_existing_policy_file(
    monkeypatch: pytest.MonkeyPatch, apt_calls: list[list[str]]
) -> None:
    system_packages.POLICY_RC_D.write_text("#!/bin/sh\nexit 101\n")
    _missing(monkeypatch, {"shellcheck"})
    monkeypatch.setattr(system_packages.os, "geteuid", lambda: 0)
    assert system_packages.ensure(["shellcheck"]) == {}
    assert system_packages.POLICY_RC_D.read_text() == "#!/bin/sh\nexit 101\n"


def test_system_packages_name_the_command_to_run_without_root(
    monkeypatch: pytest.MonkeyPatch, apt_calls: list[list[str]]
) -> None:
    _missing(monkeypatch, {"coturn", "shellcheck"})
    monkeypatch.setattr(system_packages.os, "geteuid", lambda: 1000)
    reasons = system_packages.ensure(["coturn", "shellcheck"])
    expected = "not installed: run 'sudo apt-get install --no-install-recommends coturn shellcheck'"
    assert reasons == {"coturn": expected, "shellcheck": expected}
    assert apt_calls == []


def test_system_packages_report_a_failed_install(monkeypatch: pytest.MonkeyPatch, apt_calls: list[list[str]]) -> None:
    _missing(monkeypatch, {"coturn"}, installed_by_apt=False)
    monkeypatch.setattr(system_packages.os, "geteuid", lambda: 0)
    calls: list[str] = []

    def run(args: list[str]) -> subprocess.CompletedProcess[str]:
        calls.append(args[1])
        failed = args[1] == "install"
        return subprocess.CompletedProcess(args, 100 if failed else 0, "", "E: Unable to locate package" * failed)

    monkeypatch.setattr(system_packages, "_run", run)
    assert system_packages.ensure(["coturn"]) == {
        "coturn": "apt-get install coturn failed: E: Unable to locate package"
    }
    assert calls == ["install", "update", "install"], "a failed install is retried once after updating the lists"


def test_system_packages_cli_says_one_line_and_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], apt_calls: list[list[str]]
) -> None:
    assert system_packages.main(["nginx"]) == 2
    assert (
        capsys.readouterr().err
        == "system_packages: unknown package(s): nginx; known: caddy, chromium, coturn, shellcheck\n"
    )
    _missing(monkeypatch, {"coturn"})
    monkeypatch.setattr(system_packages.os, "geteuid", lambda: 1000)
    assert system_packages.main(["coturn"]) == 1
    assert capsys.readouterr().err.count("\n") == 1


def test_system_command_fails_instead_of_skipping_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest, "ensure", lambda packages: {"coturn": "not installed"})
    monkeypatch.setattr(conftest, "command", lambda package: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="coturn is needed for this check: not installed"):
        conftest.system_command("coturn")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="coturn is needed for this check: not installed"):
        conftest.system_command("coturn")
