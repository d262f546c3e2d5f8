"""docs/testing.md's case against python-terraform stays true to the Terraform the project pins and runs."""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT


def _section() -> str:
    text = (ROOT / "docs" / "testing.md").read_text()
    found = re.search(r"^## Why tftest and a small runner, not python-terraform\n(.*?)(?=^## )", text, re.M | re.S)
    assert found, "docs/testing.md lost its python-terraform section"
    return found.group(1)


def test_testing_doc_names_the_terraform_ci_installs_and_the_measured_flags() -> None:
    section = _section()
    setup = yaml.safe_load((ROOT / ".github" / "actions" / "setup" / "action.yml").read_text())
    pinned = next(
        s["with"]["terraform_version"] for s in setup["runs"]["steps"] if "terraform_version" in s.get("with", {})
    )
    minor = re.search(r"(\d+\.\d+)", pinned)
    assert minor and f"Terraform v{minor.group(1)}." in section, f"measure again with Terraform {pinned}"
    assert 'required_version = ">= 1.11"' in (ROOT / "envs" / "shared" / "versions.tf").read_text()
    for measured in ("-detailed-exitcode", "-force", "flag provided but not defined: -force", "TerraformCommandError"):
        assert measured in section, measured


def test_testing_doc_matches_what_the_project_depends_on() -> None:
    requirements = (ROOT / "requirements-dev.txt").read_text()
    assert re.search(r"^tftest==", requirements, re.M)
    assert "python-terraform" not in requirements.lower() and "python_terraform" not in requirements.lower()
    runner = (ROOT / "tools" / "local.py").read_text()
    # The runner accepts exit code 2 only when it asked for -detailed-exitcode, as the doc says
    assert '2 if "-detailed-exitcode" in args else 0' in runner
