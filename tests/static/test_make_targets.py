"""Each Make target installs only what it needs, and `make help` lists the first-run helpers."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.conftest import ROOT


def _dry_run(*targets: str) -> str:
    """What make would run for ``targets`` with every prerequisite out of date (-B), without running it (-n)."""
    result = subprocess.run(["make", "-n", "-B", *targets], cwd=ROOT, capture_output=True, text=True, check=True)
    return result.stdout


@pytest.mark.parametrize("target", ["up", "test", "setup"])
def test_make_targets_up_test_and_setup_never_install_the_scanners(target: str) -> None:
    commands = _dry_run(target)
    assert "requirements-dev.txt" in commands  # the project's own .venv is a prerequisite ...
    assert ".venv-checkov" not in commands and "requirements-checkov.txt" not in commands  # ... the scanner is not
    assert ".venv-lint" not in commands


def test_make_lint_installs_the_scanners_it_runs() -> None:
    commands = _dry_run("lint")
    assert "requirements-checkov.txt" in commands and "tools.workflow_lint --install .venv-lint" in commands


def test_make_help_lists_doctor_and_unlock() -> None:
    result = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True)
    listed = {line.split()[0] for line in re.sub(r"\x1b\[[0-9;]*m", "", result.stdout).splitlines()[1:]}
    assert {"doctor", "unlock", "up", "outputs"} <= listed
