"""terraform fmt -check, and terraform validate of every module and root no plan of the plan tier covers.

A plan validates its whole configuration before planning, so the folders the plan
tier reaches (tests/plan/harness.py, ``planned_folders``) are not validated again
here; ``PARLEY_VALIDATE_ALL=1`` (what `make validate` sets) validates every folder,
for a quick check without plans.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.plan.harness import planned_folders
from tools.tfenv import envs, terraform_binary, terraform_env

ALL_FOLDERS = [
    *sorted(p for p in (ROOT / "modules").iterdir() if (p / "main.tf").is_file()),
    *(ROOT / "envs" / name for name in envs()),  # envs/shared is validated through each of them
    ROOT / "bootstrap",
]
PLANNED = planned_folders()
FOLDERS = [f for f in ALL_FOLDERS if os.environ.get("PARLEY_VALIDATE_ALL") == "1" or f.resolve() not in PLANNED]


# A module that takes aliased providers (configuration_aliases) is validated as
# a root, which must then configure those aliases itself.
ALIAS_PROVIDERS = """
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}
"""


def _validate(folder: Path, copy: Path) -> tuple[str, str]:
    """Validate a copy of ``folder`` (init writes lock files; the repo stays untouched)."""
    label = str(folder.relative_to(ROOT))
    versions = copy / "versions.tf"
    if versions.is_file() and "configuration_aliases" in versions.read_text():
        # A sibling copy, so callers of the module (the envs) still see it without provider blocks.
        root = copy.with_name(f"{copy.name}-as-root")
        shutil.copytree(copy, root)
        (root / "zz_validate_providers.tf").write_text(ALIAS_PROVIDERS)
        copy = root
    environ = terraform_env(f"validate-{label.replace('/', '-')}")
    binary = terraform_binary()
    for args in (["init", "-backend=false", "-input=false"], ["validate", "-no-color"]):
        result = subprocess.run(
            [binary, f"-chdir={copy}", *args], env=environ, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            return label, f"terraform {args[0]}: {result.stderr.strip() or result.stdout.strip()}"
    return label, ""


@pytest.fixture(scope="module")
def validation(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if not FOLDERS:
        return {}
    work = tmp_path_factory.mktemp("validate")
    for tree in ("modules", "envs", "bootstrap"):
        shutil.copytree(ROOT / tree, work / tree, symlinks=False, ignore=shutil.ignore_patterns(".terraform"))
    copies = [work / folder.relative_to(ROOT) for folder in FOLDERS]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(_validate, FOLDERS, copies))


def test_terraform_validate_passes_where_no_plan_covers(validation: dict[str, str]) -> None:
    assert {label: error for label, error in validation.items() if error} == {}
    assert sorted(validation) == sorted(str(folder.relative_to(ROOT)) for folder in FOLDERS)


def test_every_module_and_root_is_planned_or_validated() -> None:
    checked = {folder.resolve() for folder in FOLDERS} | PLANNED
    assert [str(f.relative_to(ROOT)) for f in ALL_FOLDERS if f.resolve() not in checked] == []


def test_terraform_fmt_is_clean() -> None:
    result = subprocess.run(
        [terraform_binary(), "fmt", "-check", "-recursive", "-list=true", "modules", "envs", "bootstrap"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.stdout.split() == [], "run 'make fmt'"
